import { randomBytes } from 'node:crypto';
import { watch as watchFolder, mkdirSync, promises as fs, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, FleetError, describeError } from '../errors';
import { lockFolder } from '../store/folderLock';
import { findStateWriteError } from '../store/stateWriteError';
import { readJson, writeJsonAtomic } from '../store/jsonStore';
import { formatIssues } from '../schemas/issues';
import type { WorkspacePaths } from '../workspacePaths';
import {
  ApprovalDecisionSchema,
  ApprovalRequestInputSchema,
  CompletedFileSchema,
  DecidedBySchema,
  MAX_EXCERPT_CHARS,
  PendingFileSchema,
  type ApprovalDecision,
  type ApprovalRecord,
  type ApprovalRequest,
  type ApprovalRequestInput,
  type CompletedApproval,
  type DecidedBy,
} from './approvalRecords';

export interface ApprovalStoreOptions {
  /** `<stateDir>/approvals` (see `workspacePaths(...).approvalsDir`). */
  approvalsDir: string;
  now?: () => Date;
  /**
   * A lock whose holder stopped refreshing it for this long is taken over (a crashed process). proper-lockfile
   * refuses less than 5000 ms.
   */
  lockStaleMs?: number;
  /** How long to wait for another process's lock before failing with E_APPROVAL_LOCK. */
  lockWaitMs?: number;
  /** Above this many answered records, the oldest half moves to an archive file beside completed.json. */
  keepCompleted?: number;
  watchDebounceMs?: number;
}

export type DecideResult = { ok: true; record: CompletedApproval } | { ok: false; error: FleetError };

export interface ApprovalsChange {
  pending: ApprovalRequest[];
  /** Requests that appeared since the last report. */
  requested: ApprovalRequest[];
  /** Requests answered since the last report, by this process or any other. */
  decided: CompletedApproval[];
  /** Set when the files could not be read (the lists are then the last good ones). */
  error?: FleetError;
}

export interface Disposable {
  dispose(): void;
}

interface Files {
  pending: ApprovalRequest[];
  completed: CompletedApproval[];
}

const PENDING = 'pending.json';
const COMPLETED = 'completed.json';
const LOCK = '.lock';

/**
 * Approval requests and their answers, shared by every process of a workspace (the VS Code window, `fleet`
 * commands, a webhook receiver): the first answer wins and every later one gets E_APPROVAL_ALREADY_DECIDED
 * naming who answered and when.
 *
 * Every change happens under one cross-process lock (proper-lockfile: an atomic `mkdir`, refreshed while held,
 * taken over when its holder died) and writes with writeJsonAtomic, so a reader never sees half a file. An
 * answer is written to completed.json BEFORE the request leaves pending.json: a crash in between leaves the
 * record in both files, and the next reader treats completed as the truth (and the next writer cleans pending).
 *
 * A file that is not valid JSON or does not fit the schema is reported (E_STORE_PARSE / E_STORE_SCHEMA with
 * the file, line and column) and never overwritten: nothing is written until someone calls `repair()`, which
 * moves the broken file aside as `<name>.corrupt-<timestamp>` so a person can still read what it held.
 */
export class ApprovalStore {
  readonly dir: string;
  readonly pendingFile: string;
  readonly completedFile: string;
  /** The lock proper-lockfile creates (a folder); every process of the workspace uses the same one. */
  readonly lockFile: string;
  private readonly now: () => Date;
  private readonly lockStaleMs: number;
  private readonly lockWaitMs: number;
  private readonly keepCompleted: number;
  private readonly debounceMs: number;
  /** Serialises this process's own operations, so they queue here instead of polling the lock. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ApprovalStoreOptions) {
    this.dir = path.resolve(options.approvalsDir);
    this.pendingFile = path.join(this.dir, PENDING);
    this.completedFile = path.join(this.dir, COMPLETED);
    this.lockFile = path.join(this.dir, LOCK);
    this.now = options.now ?? (() => new Date());
    this.lockStaleMs = Math.max(5000, options.lockStaleMs ?? 10_000);
    this.lockWaitMs = options.lockWaitMs ?? 30_000;
    this.keepCompleted = Math.max(10, options.keepCompleted ?? 2000);
    this.debounceMs = options.watchDebounceMs ?? 50;
  }

  static forWorkspace(
    paths: Pick<WorkspacePaths, 'approvalsDir'>,
    options: Omit<ApprovalStoreOptions, 'approvalsDir'> = {},
  ): ApprovalStore {
    return new ApprovalStore({ ...options, approvalsDir: paths.approvalsDir });
  }

  /**
   * Records a request and returns it with its id. While a request from the same pane for the same thing (agent,
   * kind, command, reason) is still pending, that one is returned instead of a second: a pane shows one prompt
   * at a time, and a supervisor that reads the same prompt twice must not ask twice.
   */
  async request(input: ApprovalRequestInput): Promise<ApprovalRequest> {
    const parsed = ApprovalRequestInputSchema.safeParse(input);
    if (!parsed.success) {
      const problems = formatIssues(parsed.error.issues);
      throw new FleetError(ErrorCode.ApprovalInvalid, `Invalid approval request: ${problems.join('; ')}`, {
        problems,
      });
    }
    const fields = parsed.data;
    if (fields.transcriptExcerpt && fields.transcriptExcerpt.length > MAX_EXCERPT_CHARS) {
      fields.transcriptExcerpt = fields.transcriptExcerpt.slice(-MAX_EXCERPT_CHARS);
    }
    return this.locked(async (check) => {
      const files = await this.load(check);
      const same = files.pending.find(
        (r) =>
          r.pane === fields.pane &&
          r.agent === fields.agent &&
          r.kind === fields.kind &&
          r.command === fields.command &&
          r.reason === fields.reason,
      );
      if (same) return same;
      const taken = new Set([...files.pending, ...files.completed].map((r) => r.id));
      let id = newId();
      while (taken.has(id)) id = newId();
      const record: ApprovalRequest = { id, ...fields, requestedAt: this.now().toISOString() };
      check();
      await writeJsonAtomic(this.pendingFile, { version: 1, approvals: [...files.pending, record] });
      return record;
    });
  }

  /** Answers a pending request. Exactly one answer per request across all processes; later ones are refused. */
  async decide(
    id: string,
    decision: ApprovalDecision,
    by: { by: DecidedBy; message?: string },
  ): Promise<DecideResult> {
    if (!ApprovalDecisionSchema.safeParse(decision).success || !DecidedBySchema.safeParse(by.by).success) {
      return {
        ok: false,
        error: new FleetError(ErrorCode.ApprovalInvalid, `Invalid decision ${decision} by ${by.by}`, {
          id,
          decision,
          by: by.by,
        }),
      };
    }
    return this.locked(async (check) => {
      const files = await this.load(check);
      const done = files.completed.find((r) => r.id === id);
      if (done) return { ok: false, error: alreadyDecided(done) };
      const record = files.pending.find((r) => r.id === id);
      if (!record) {
        return {
          ok: false,
          error: new FleetError(ErrorCode.ApprovalNotFound, `No approval request ${id}`, { id }),
        };
      }
      const completed: CompletedApproval = {
        ...record,
        decision,
        decidedBy: by.by,
        decidedAt: this.now().toISOString(),
        ...(by.message !== undefined ? { message: by.message } : {}),
      };
      await this.complete(files, [completed], check);
      return { ok: true, record: completed };
    });
  }

  /** Requests waiting for an answer, oldest first. */
  async pending(): Promise<ApprovalRequest[]> {
    return (await this.read()).pending;
  }

  /** Answered requests, newest first. */
  async completed(options: { limit?: number } = {}): Promise<CompletedApproval[]> {
    const newestFirst = (await this.read()).completed.slice().reverse();
    return options.limit === undefined ? newestFirst : newestFirst.slice(0, Math.max(0, options.limit));
  }

  /** A request, pending or answered (answered ones carry `decision`). */
  async get(id: string): Promise<ApprovalRecord | undefined> {
    const files = await this.read();
    return files.completed.find((r) => r.id === id) ?? files.pending.find((r) => r.id === id);
  }

  /** Answers every request older than `olderThanMs` with `expired` (by `rule`); returns them. */
  async expire(olderThanMs: number): Promise<CompletedApproval[]> {
    return this.locked(async (check) => {
      const files = await this.load(check);
      const now = this.now();
      const cutoff = now.getTime() - olderThanMs;
      const expired: CompletedApproval[] = files.pending
        .filter((r) => Date.parse(r.requestedAt) < cutoff)
        .map((r) => ({
          ...r,
          decision: 'expired',
          decidedBy: 'rule',
          decidedAt: now.toISOString(),
          message: `no answer within ${Math.round(olderThanMs / 1000)} s`,
        }));
      if (expired.length > 0) await this.complete(files, expired, check);
      return expired;
    });
  }

  /**
   * Moves a pending.json or completed.json that cannot be read aside (`<name>.corrupt-<timestamp>`), so the
   * store works again; returns the paths it moved. Files that read fine are left alone.
   */
  async repair(): Promise<string[]> {
    return this.locked(async () => {
      const moved: string[] = [];
      for (const [file, schema] of [
        [this.pendingFile, PendingFileSchema],
        [this.completedFile, CompletedFileSchema],
      ] as const) {
        try {
          await readJson(file, schema);
        } catch (error) {
          if (
            !(error instanceof FleetError) ||
            (error.code !== ErrorCode.StoreParse && error.code !== ErrorCode.StoreSchema)
          ) {
            throw error;
          }
          const aside = `${file}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
          await fs.rename(file, aside);
          moved.push(aside);
        }
      }
      return moved;
    });
  }

  /**
   * Reports every change to the files, whoever made it (fs.watch on the folder, since each write replaces the
   * file by a rename; debounced). The first report comes after the first change, not at once.
   */
  watch(listener: (change: ApprovalsChange) => void): Disposable {
    mkdirSync(this.dir, { recursive: true });
    let known: Files | undefined;
    let timer: NodeJS.Timeout | undefined;
    let disposed = false;
    let running: Promise<void> = Promise.resolve();
    const baseline = this.read()
      .then((files) => {
        known ??= files;
      })
      .catch(() => undefined);

    const refresh = async (): Promise<void> => {
      await baseline;
      if (disposed) return;
      try {
        const files = await this.read();
        const before = known ?? { pending: [], completed: [] };
        const wasPending = new Set(before.pending.map((r) => r.id));
        const wasCompleted = new Set(before.completed.map((r) => r.id));
        const change: ApprovalsChange = {
          pending: files.pending,
          requested: files.pending.filter((r) => !wasPending.has(r.id)),
          decided: files.completed.filter((r) => !wasCompleted.has(r.id)),
        };
        known = files;
        if (
          !disposed &&
          (change.requested.length > 0 ||
            change.decided.length > 0 ||
            before.pending.length !== files.pending.length)
        ) {
          listener(change);
        }
      } catch (error) {
        const fleetError =
          error instanceof FleetError
            ? error
            : new FleetError(ErrorCode.StoreRead, describeError(error), {}, { cause: error });
        if (!disposed)
          listener({ pending: known?.pending ?? [], requested: [], decided: [], error: fleetError });
      }
    };
    const schedule = (): void => {
      if (disposed) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(refresh);
      }, this.debounceMs);
    };

    let watcher: FSWatcher | undefined;
    try {
      watcher = watchFolder(this.dir, (_event, filename) => {
        if (filename === null || filename === PENDING || filename === COMPLETED) schedule();
      });
      // A folder removed under us ends the watch quietly; reading again would only repeat the error.
      watcher.on('error', () => watcher?.close());
    } catch (error) {
      throw new FleetError(
        ErrorCode.StoreRead,
        `Cannot watch ${this.dir}: ${describeError(error)}`,
        { dir: this.dir },
        { cause: error },
      );
    }
    return {
      dispose: () => {
        disposed = true;
        clearTimeout(timer);
        watcher?.close();
      },
    };
  }

  // --- internals -------------------------------------------------------------------------------------------

  /** Both files as they are on disk, with a record found in both counted as answered (crash recovery). */
  private async read(): Promise<Files> {
    return (await this.readBoth()).files;
  }

  private async readBoth(): Promise<{ files: Files; healed: boolean }> {
    const [pendingFile, completedFile] = await Promise.all([
      readJson(this.pendingFile, PendingFileSchema),
      readJson(this.completedFile, CompletedFileSchema),
    ]);
    const completed = completedFile?.approvals ?? [];
    const answered = new Set(completed.map((r) => r.id));
    const onDisk = pendingFile?.approvals ?? [];
    const pending = onDisk.filter((r) => !answered.has(r.id));
    return { files: { pending, completed }, healed: pending.length !== onDisk.length };
  }

  /** Under the lock: `read`, and if a crash left a record in both files, finish that answer on disk. */
  private async load(check: () => void): Promise<Files> {
    const { files, healed } = await this.readBoth();
    if (healed) {
      check();
      await writeJsonAtomic(this.pendingFile, { version: 1, approvals: files.pending });
    }
    return files;
  }

  /** completed.json first, then pending.json: a crash between the two loses nothing (see `read`). */
  private async complete(files: Files, records: CompletedApproval[], check: () => void): Promise<void> {
    let completed = [...files.completed, ...records];
    if (completed.length > this.keepCompleted) {
      const cut = completed.length - Math.floor(this.keepCompleted / 2);
      const archive = path.join(
        this.dir,
        `completed-${this.now().toISOString().replace(/[:.]/g, '-')}-${newId()}.json`,
      );
      check();
      await writeJsonAtomic(archive, { version: 1, approvals: completed.slice(0, cut) });
      completed = completed.slice(cut);
    }
    check();
    await writeJsonAtomic(this.completedFile, { version: 1, approvals: completed });
    const done = new Set(records.map((r) => r.id));
    check();
    await writeJsonAtomic(this.pendingFile, {
      version: 1,
      approvals: files.pending.filter((r) => !done.has(r.id)),
    });
  }

  /** Runs `fn` holding the folder's lock; `check()` throws if the lock was lost (then nothing more is written). */
  private locked<T>(fn: (check: () => void) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      let compromised: Error | undefined;
      let release: () => Promise<void>;
      try {
        release = await lockFolder(this.dir, {
          lockfilePath: this.lockFile,
          staleMs: this.lockStaleMs,
          waitMs: this.lockWaitMs,
          onCompromised: (error) => {
            compromised = error;
          },
        });
      } catch (error) {
        // A disk that refuses the lock (read-only, full) is not a busy lock: E_STATE_WRITE as it is.
        if (findStateWriteError(error)) throw error;
        throw new FleetError(
          ErrorCode.ApprovalLock,
          `Could not lock ${this.dir} within ${this.lockWaitMs} ms: ${describeError(error)}`,
          { dir: this.dir },
          { cause: error },
        );
      }
      const check = (): void => {
        if (compromised) {
          throw new FleetError(
            ErrorCode.ApprovalLock,
            `Lost the lock on ${this.dir}: ${compromised.message}`,
            { dir: this.dir },
          );
        }
      };
      try {
        return await fn(check);
      } finally {
        await release().catch(() => undefined);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function newId(): string {
  return randomBytes(4).toString('hex');
}

function alreadyDecided(done: CompletedApproval): FleetError {
  return new FleetError(
    ErrorCode.ApprovalAlreadyDecided,
    `Approval ${done.id} was already answered: ${done.decision} by ${done.decidedBy} at ${done.decidedAt}`,
    { id: done.id, decision: done.decision, decidedBy: done.decidedBy, decidedAt: done.decidedAt },
  );
}
