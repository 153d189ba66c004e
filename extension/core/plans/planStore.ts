import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ErrorCode, FleetError, describeError } from '../errors';
import { lockFolder } from '../store/folderLock';
import { JsonStore } from '../store/jsonStore';
import { findStateWriteError } from '../store/stateWriteError';
import { PlanId, PlanSchema, type Plan, type PlanInput } from './planSchema';
import { formatPlanProblem, validatePlan } from './validatePlan';

/**
 * Plan versions (seed 004 "支持版本号与回滚"): every saved plan is a new file
 * `.fleetai/state/plans/<id>/v<N>.json`, never changed afterwards, so any earlier version can be read, run
 * again, or restored. A rollback is a new version with the old content (`restoredFrom`), so history only grows
 * and a rollback can itself be rolled back. Writes are atomic (JsonStore) and numbered under a lock on the
 * plan's folder, so two processes saving at once get two versions, not one overwritten.
 */

export const PLANS_DIR = 'plans';

export const PlanVersionRecord = z.strictObject({
  schemaVersion: z.literal(1),
  planId: PlanId,
  version: z.number().int().min(1),
  savedAt: z.string(),
  note: z.string().optional(),
  /** Set on a rollback: the version whose content this one restores. */
  restoredFrom: z.number().int().min(1).optional(),
  plan: PlanSchema,
});
export type PlanVersionRecord = z.output<typeof PlanVersionRecord>;

export interface PlanVersionInfo {
  planId: string;
  version: number;
  savedAt: string;
  title: string;
  nodes: number;
  note?: string;
  restoredFrom?: number;
}

export interface SavedPlanVersion {
  version: number;
  file: string;
  /** False when the plan equals the newest version: nothing was written. */
  created: boolean;
}

export interface PlanStoreOptions {
  /** The workspace's state folder (`workspacePaths(...).stateDir`); plans go to its `plans/`. */
  stateDir: string;
  now?: () => Date;
  /** A lock not refreshed for this long is taken over (its holder died); proper-lockfile needs >= 5000. */
  lockStaleMs?: number;
  lockWaitMs?: number;
}

const VERSION_FILE = /^v(\d+)\.json$/;

export class PlanStore {
  readonly dir: string;
  private readonly store: JsonStore;
  private readonly now: () => Date;
  private readonly lockStaleMs: number;
  private readonly lockWaitMs: number;

  constructor(options: PlanStoreOptions) {
    this.dir = path.join(options.stateDir, PLANS_DIR);
    this.store = new JsonStore(this.dir);
    this.now = options.now ?? (() => new Date());
    this.lockStaleMs = Math.max(5000, options.lockStaleMs ?? 10_000);
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
  }

  fileOf(planId: string, version: number): string {
    return path.join(this.dir, planId, `v${version}.json`);
  }

  /**
   * Saves a plan as its next version. The plan must validate (structure, references, cycles, reachability):
   * a store of plans that cannot run would only move the error to later. A plan equal to the newest version
   * is not saved again.
   */
  async save(input: PlanInput | Plan, options: { note?: string } = {}): Promise<SavedPlanVersion> {
    const plan = checked(input);
    return this.locked(plan.id, async () => {
      const latest = await this.latestRecord(plan.id);
      if (latest && sameContent(latest.plan, plan))
        return { version: latest.version, file: this.fileOf(plan.id, latest.version), created: false };
      return this.writeVersion(plan, (latest?.version ?? 0) + 1, options.note);
    });
  }

  /** Restores an earlier version as the newest one (rollback); a no-op when it is the newest already. */
  async restore(planId: string, version: number, options: { note?: string } = {}): Promise<SavedPlanVersion> {
    // Versions never change once written, so the one to restore can be read before taking the lock.
    const old = await this.load(planId, version);
    if (!old) {
      const known = (await this.versionNumbers(planId)).join(', ');
      throw new FleetError(
        ErrorCode.PlanNotFound,
        known
          ? `Plan "${planId}" has no version ${version} (versions: ${known})`
          : `There is no plan "${planId}" in ${this.dir}`,
        { planId, version },
      );
    }
    return this.locked(planId, async () => {
      const latest = await this.latestRecord(planId);
      if (latest && latest.version === version)
        return { version, file: this.fileOf(planId, version), created: false };
      return this.writeVersion(
        old.plan,
        (latest?.version ?? 0) + 1,
        options.note ?? `rollback to v${version}`,
        version,
      );
    });
  }

  /** One version, or the newest when `version` is left out; undefined when there is no such version. */
  async load(planId: string, version?: number): Promise<PlanVersionRecord | undefined> {
    assertPlanId(planId);
    if (version === undefined) return this.latestRecord(planId);
    return this.store.read(path.join(planId, `v${version}.json`), PlanVersionRecord);
  }

  /** Every version of a plan, oldest first. */
  async versions(planId: string): Promise<PlanVersionInfo[]> {
    const out: PlanVersionInfo[] = [];
    for (const version of await this.versionNumbers(planId)) {
      const record = await this.load(planId, version);
      if (record) out.push(info(record));
    }
    return out;
  }

  /** Every stored plan with its newest version, by id. */
  async plans(): Promise<PlanVersionInfo[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new FleetError(ErrorCode.StoreRead, `Could not list ${this.dir}: ${describeError(error)}`, {
        dir: this.dir,
      });
    }
    const out: PlanVersionInfo[] = [];
    for (const id of entries.sort()) {
      if (!PlanId.safeParse(id).success) continue;
      const record = await this.latestRecord(id);
      if (record) out.push(info(record));
    }
    return out;
  }

  private async versionNumbers(planId: string): Promise<number[]> {
    assertPlanId(planId);
    let names: string[];
    try {
      names = await fs.readdir(path.join(this.dir, planId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => VERSION_FILE.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async latestRecord(planId: string): Promise<PlanVersionRecord | undefined> {
    const numbers = await this.versionNumbers(planId);
    const latest = numbers[numbers.length - 1];
    return latest === undefined ? undefined : this.load(planId, latest);
  }

  private async writeVersion(
    plan: Plan,
    version: number,
    note: string | undefined,
    restoredFrom?: number,
  ): Promise<SavedPlanVersion> {
    const record: PlanVersionRecord = {
      schemaVersion: 1,
      planId: plan.id,
      version,
      savedAt: this.now().toISOString(),
      ...(note !== undefined ? { note } : {}),
      ...(restoredFrom !== undefined ? { restoredFrom } : {}),
      plan,
    };
    await this.store.write(path.join(plan.id, `v${version}.json`), PlanVersionRecord, record);
    return { version, file: this.fileOf(plan.id, version), created: true };
  }

  /** Runs `fn` holding the plan folder's cross-process lock (the same proper-lockfile scheme as approvals). */
  private async locked<T>(planId: string, fn: () => Promise<T>): Promise<T> {
    assertPlanId(planId);
    const dir = path.join(this.dir, planId);
    let release: () => Promise<void>;
    try {
      release = await lockFolder(dir, {
        lockfilePath: path.join(dir, '.lock'),
        staleMs: this.lockStaleMs,
        waitMs: this.lockWaitMs,
      });
    } catch (error) {
      // A disk that refuses the lock (read-only, full) is not a busy lock: E_STATE_WRITE as it is.
      if (findStateWriteError(error)) throw error;
      throw new FleetError(
        ErrorCode.StoreWrite,
        `Could not lock ${dir} within ${this.lockWaitMs} ms: ${describeError(error)}`,
        { dir },
        { cause: error },
      );
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }
}

function assertPlanId(planId: string): void {
  if (!PlanId.safeParse(planId).success)
    throw new FleetError(
      ErrorCode.PlanInvalid,
      `"${planId}" is not a plan id (letters, digits, ".", "_", "-")`,
      {
        planId,
      },
    );
}

function checked(input: unknown): Plan {
  const result = validatePlan(input);
  if (result.ok && result.plan) return result.plan;
  const problems = result.problems.filter((p) => p.severity === 'error').map((p) => formatPlanProblem(p));
  throw new FleetError(ErrorCode.PlanInvalid, `Refusing to save an invalid plan: ${problems.join('; ')}`, {
    problems,
  });
}

/** Both went through the schema, so equal plans serialize with the same key order. */
function sameContent(a: Plan, b: Plan): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function info(record: PlanVersionRecord): PlanVersionInfo {
  return {
    planId: record.planId,
    version: record.version,
    savedAt: record.savedAt,
    title: record.plan.title,
    nodes: record.plan.nodes.length,
    ...(record.note !== undefined ? { note: record.note } : {}),
    ...(record.restoredFrom !== undefined ? { restoredFrom: record.restoredFrom } : {}),
  };
}
