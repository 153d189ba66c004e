import type { ApprovalStore } from '../../approvals';
import type { Disposable } from '../../approvals/approvalStore';
import { describeError, ErrorCode, FleetError } from '../../errors';
import type { Logger } from '../../observability/appLog';
import type { PlanPorts } from '../planPorts';
import { PlanStore } from '../planStore';
import { runPlan, type RunPlanOptions, type RunResult } from './runPlan';
import { isRunActive } from './runOwner';
import { listRuns, type RunRecord } from './runRecord';

export interface ResumeRunsOptions extends Omit<
  RunPlanOptions,
  'plan' | 'thread' | 'planVersion' | 'wait' | 'checkpointer' | 'approvals'
> {
  approvals: ApprovalStore;
  log?: Logger;
  /** Only these runs (thread ids); every run of the workspace by default. */
  threads?: string[];
  /** Agents and MCP for the resumed runs, opened when a run is resumed and closed after the pass. */
  ports?: () => Promise<PlanPorts>;
}

/**
 * A run nobody runs that can go on: every approval it waits for has an answer, or it was paused because the
 * state could not be written (E_STATE_WRITE). A run named by its thread that still says `running` with no live
 * runner is taken too: its pause could not be written to the same refusing disk.
 */
async function decidedAndOrphaned(
  record: RunRecord,
  approvals: ApprovalStore,
  named: boolean,
): Promise<boolean> {
  // A run kept only in memory cannot be resumed by another call: it would start again from the beginning.
  if (record.checkpoints !== undefined && record.checkpoints !== 'json') return false;
  if (isRunActive(record)) return false;
  if (record.status === 'running' && (record.paused !== undefined || named)) return true;
  if (record.status !== 'waiting_approval' || record.waits.length === 0) return false;
  for (const wait of record.waits) {
    const answer = await approvals.get(wait.requestId);
    if (answer !== undefined && !('decision' in answer)) return false;
  }
  return true;
}

/**
 * Resumes, in this process, the plan runs whose approvals were all answered or that were paused on a state
 * write failure, and that no live process runs (a `fleet run:auto --no-wait`, or a runner that has ended), each
 * until it ends or waits again. A run another
 * process took in the meantime is left to it (E_PLAN_RUN_BUSY), so two supervisors never run one node twice.
 */
export async function resumeDecidedRuns(options: ResumeRunsOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const plans = new PlanStore({ stateDir: options.stateDir });
  let ports: PlanPorts | undefined;
  try {
    for (const record of await listRuns(options.stateDir)) {
      if (options.threads && !options.threads.includes(record.thread)) continue;
      const named = options.threads?.includes(record.thread) ?? false;
      if (!(await decidedAndOrphaned(record, options.approvals, named))) continue;
      const saved = await plans.load(record.planId, record.planVersion);
      if (!saved) {
        options.log?.warn('plan', 'plan.resume.plan_missing', {
          planId: record.planId,
          thread: record.thread,
          planVersion: record.planVersion,
        });
        continue;
      }
      options.log?.info('plan', 'plan.resume', { planId: record.planId, thread: record.thread });
      try {
        ports ??= await options.ports?.();
        results.push(
          await runPlan({
            ...options,
            ...(ports ? { agents: ports.agents, mcp: ports.mcp } : {}),
            plan: saved.plan,
            thread: record.thread,
            ...(record.planVersion !== undefined ? { planVersion: record.planVersion } : {}),
            wait: false,
          }),
        );
      } catch (error) {
        if (error instanceof FleetError && error.code === ErrorCode.PlanRunBusy) continue;
        options.log?.error('plan', 'plan.resume.failed', {
          planId: record.planId,
          thread: record.thread,
          error: describeError(error),
        });
      }
    }
  } finally {
    await ports?.close();
  }
  return results;
}

/**
 * Watches the approvals store and resumes plan runs when a plan node's approval is answered, so a run goes on by
 * itself after a decision made anywhere (VS Code, `fleet approvals:approve`, a phone) without a `run:auto`
 * waiting in a terminal. Resumes are serialised: one pass at a time, and a pass asked for while one runs is done
 * once after it.
 */
export function resumeRunsOnDecision(options: ResumeRunsOptions): Disposable & { idle(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  let queued = false;
  const pass = (): void => {
    if (queued) return;
    queued = true;
    chain = chain.then(async () => {
      queued = false;
      await resumeDecidedRuns(options).catch((error: unknown) =>
        options.log?.error('plan', 'plan.resume.failed', { error: describeError(error) }),
      );
    });
  };
  const watch = options.approvals.watch((change) => {
    if (change.decided.some((record) => record.agent.startsWith('plan-run:'))) pass();
  });
  // Decisions made while no supervisor ran are picked up at start.
  pass();
  return { dispose: () => watch.dispose(), idle: () => chain };
}
