import { Command } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { ApprovalStore } from '../../approvals';
import { DEFAULT_RISK_RULES, extendRiskRules, type RiskRules } from '../../approvals/riskRules';
import { loadOrchestratorConfig } from '../../config/orchestratorConfig';
import { workspacePaths } from '../../workspacePaths';
import { createCheckpointer } from '../checkpoint/createCheckpointer';
import { isControlNode, type Plan } from '../planSchema';
import { compilePlan, stepBound, type ApprovalWait, outputExcerpt, type ExecutorEvent } from './compilePlan';
import type { NodeStates } from './runState';
import { appendFailedNode } from './operationsLog';
import { claimRun } from './runOwner';
import { writeRunRecord, type RunOwner, type RunRecord } from './runRecord';
import { pauseForStateWrite } from './statePause';
import { findStateWriteError } from '../../store/stateWriteError';

import type { RunPlanOptions, RunResult } from './runTypes';

export type { RunPlanOptions, RunResult };

export function newThreadId(planId: string, now = new Date()): string {
  return `${planId}-${now.toISOString().replace(/[-:]/g, '').replace('.', '')}`;
}

/**
 * The decision on a request, or undefined while it is pending. A node's `timeoutSeconds` bounds the wait: the
 * request is then answered `expired` in the store (by 'rule'), which the node treats as a denial.
 */
async function decisionOf(
  store: ApprovalStore,
  requestId: string,
  timeoutSeconds: number | undefined,
): Promise<string | undefined> {
  const record = await store.get(requestId);
  if (!record) return 'cancel';
  if ('decision' in record) return record.decision;
  if (timeoutSeconds === undefined) return undefined;
  if (Date.now() - Date.parse(record.requestedAt) < timeoutSeconds * 1000) return undefined;
  const expired = await store.decide(requestId, 'expired', {
    by: 'rule',
    message: `plan node timeout (${timeoutSeconds} s) / 计划节点超时`,
  });
  // Someone may have answered in the meantime: their answer counts.
  return expired.ok ? 'expired' : decisionOf(store, requestId, undefined);
}

/** The decision for every interrupt, keyed by interrupt id, or undefined while any is pending. */
async function decisionsFor(
  interrupts: { id?: string; value?: unknown }[],
  approvals: ApprovalStore,
  plan: Plan,
): Promise<Record<string, string> | undefined> {
  const resume: Record<string, string> = {};
  for (const each of interrupts) {
    const wait = each.value as ApprovalWait;
    const timeout = plan.nodes.find((node) => node.id === wait.node)?.timeoutSeconds;
    const decision = await decisionOf(approvals, wait.requestId, timeout);
    if (decision === undefined) return undefined;
    resume[each.id!] = decision;
  }
  return resume;
}

/**
 * The rules a plan's commands are rated by: the defaults plus the allow and deny lists of the workspace's
 * `.fleetai/orchestrator.json`, the same ones the supervisor applies to what agents ask. A broken config stops
 * the run before anything runs (its error names the file and field) rather than running with fewer denials.
 */
export async function workspaceRiskRules(workspace: string): Promise<RiskRules> {
  const { config, found } = await loadOrchestratorConfig(workspacePaths(workspace).orchestratorConfig);
  if (!found) return DEFAULT_RISK_RULES;
  return extendRiskRules(DEFAULT_RISK_RULES, { allow: config.approvals.allow, deny: config.approvals.deny });
}

/**
 * Runs a plan (or resumes its thread) to the end, or to an approval when `wait` is false. Every step is
 * checkpointed before the next starts (durability "sync"), so a run killed at any point resumes with the same
 * thread id without running a finished node again; only the nodes of the interrupted step run again.
 */
export async function runPlan(options: RunPlanOptions): Promise<RunResult> {
  const { plan, stateDir } = options;
  const thread = options.thread ?? newThreadId(plan.id);
  const checkpointer =
    typeof options.checkpointer === 'object'
      ? options.checkpointer
      : options.checkpointer === 'memory'
        ? createCheckpointer({ mode: 'memory' })
        : createCheckpointer({ mode: 'json', root: `${stateDir}/checkpoints` });
  const now = (): string => new Date().toISOString();
  // Before the run record is written: a run refused for a broken config leaves no run behind.
  const riskRules = options.riskRules ?? (await workspaceRiskRules(options.workspace));
  let record!: RunRecord;
  const release = await claimRun(stateDir, plan.id, thread, async (previous, runner) => {
    record = newRecord(previous, runner);
    await writeRunRecord(stateDir, record);
  });
  try {
    return await runClaimed(options, plan, thread, record, checkpointer, riskRules);
  } catch (error) {
    // A disk that refuses the state stops the run where it is, resumable: retrying its nodes would only burn
    // their attempts against the same disk. What was checkpointed before stays and is not run again.
    const refused = findStateWriteError(error);
    if (!refused) throw error;
    return await pauseForStateWrite({
      options,
      plan,
      thread,
      record,
      checkpointer,
      riskRules,
      error: refused,
    });
  } finally {
    release();
    if (record.runner) {
      // Thrown out of the run: it no longer has a runner, so a resume (or another process) may take it.
      delete record.runner;
      await writeRunRecord(stateDir, record).catch(() => undefined);
    }
  }

  function newRecord(previous: RunRecord | undefined, runner: RunOwner): RunRecord {
    return {
      planId: plan.id,
      thread,
      ...(options.planVersion !== undefined ? { planVersion: options.planVersion } : {}),
      workspace: options.workspace,
      checkpoints: typeof options.checkpointer === 'object' ? 'custom' : (options.checkpointer ?? 'json'),
      status: 'running',
      started: previous?.started ?? now(),
      updated: now(),
      waits: [],
      // A resumed run shows what its nodes did before until they change again.
      nodes: previous?.nodes ?? {},
      markedForHuman: previous?.markedForHuman ?? [],
      // A paused run that is taken again is no longer paused (record.paused is left out).
      runner,
    };
  }
}

async function runClaimed(
  options: RunPlanOptions,
  plan: Plan,
  thread: string,
  record: RunRecord,
  checkpointer: BaseCheckpointSaver,
  riskRules: RiskRules,
): Promise<RunResult> {
  const { stateDir } = options;
  const now = (): string => new Date().toISOString();
  const known: Record<string, string> = {};
  // A control node fails because a child did; only the work node that failed needs a person.
  const controlIds = new Set(plan.nodes.filter(isControlNode).map((node) => node.id));
  const onEvent = (event: ExecutorEvent): void => {
    if (known[event.node] === event.status && event.attempt === undefined) return;
    known[event.node] = event.status;
    const before = record.nodes[event.node];
    const at = now();
    record.nodes[event.node] = {
      status: event.status,
      ...(event.attempt !== undefined ? { attempts: event.attempt } : {}),
      ...(event.error ? { error: event.error } : {}),
      ...(event.outputExcerpt !== undefined ? { outputExcerpt: event.outputExcerpt } : {}),
      ...(event.status === 'running'
        ? { startedAt: before?.status === 'running' ? (before.startedAt ?? at) : at }
        : before?.startedAt
          ? { startedAt: before.startedAt }
          : {}),
      ...(event.status === 'done' || event.status === 'failed' || event.status === 'skipped'
        ? { finishedAt: at }
        : {}),
    };
    if (event.status === 'failed' && !controlIds.has(event.node)) {
      record.markedForHuman.push({ node: event.node, error: event.error ?? '', at });
      // A failed work node needs a person: the app log says so, with the run to look at.
      options.log?.error('plan', 'plan.node.marked_for_human', {
        planId: plan.id,
        thread,
        node: event.node,
        error: event.error ?? '',
      });
      const title = plan.nodes.find((node) => node.id === event.node)?.title ?? event.node;
      operations = operations.then(async () => {
        // The last retry's number (the failed event itself carries none); undefined when it ran once.
        const attempts = event.attempt ?? before?.attempts;
        const failed = await appendFailedNode(options.workspace, {
          planId: plan.id,
          thread,
          node: event.node,
          title,
          error: event.error ?? '',
          ...(attempts !== undefined ? { attempts } : {}),
          at,
        });
        if (failed)
          options.log?.warn('plan', 'plan.operations_log.unwritable', { error: failed.message, thread });
      });
    }
    options.onEvent?.(event);
    // Written as states change, one write at a time, so `fleet plan:status` follows a run that is under way.
    record.updated = now();
    writes = writes.then(() => writeRunRecord(stateDir, record)).catch(() => undefined);
  };
  let writes: Promise<void> = Promise.resolve();
  let operations: Promise<void> = Promise.resolve();
  const app = compilePlan(plan, { ...options, riskRules, checkpointer, onEvent });
  const config = {
    configurable: { thread_id: thread },
    durability: 'sync' as const,
    recursionLimit: stepBound(plan),
  };

  const existing = await app.getState(config);
  const started = existing.values !== undefined && Object.keys(existing.values as object).length > 0;
  let input: unknown = started ? null : { inputs: plan.inputs, nodes: {} };
  for (;;) {
    const snapshot = await app.getState(config);
    const pending = snapshot.tasks.flatMap((task) => task.interrupts);
    // A resumed thread may already wait for approvals, or be finished: then there is nothing to run yet.
    const waitsAlready = input === null && pending.length > 0;
    // Not `next.length === 0`: a task whose writes were saved before a crash is left out of `next`, yet the
    // run still has to apply them and go on. The scheduler sets `outcome` when the plan is over.
    const finished = input === null && (snapshot.values as { outcome?: string }).outcome !== undefined;
    if (!waitsAlready && !finished) {
      const stream = await app.stream(input as never, { ...config, streamMode: 'updates' });
      for await (const chunk of stream) {
        const updates = chunk as Record<string, { nodes?: NodeStates } | undefined>;
        for (const update of Object.values(updates)) {
          for (const [node, state] of Object.entries(update?.nodes ?? {})) {
            if (known[node] !== state.status) onEvent({ node, status: state.status });
          }
        }
      }
    }
    const after = await app.getState(config);
    const values = after.values as { nodes?: NodeStates; outcome?: 'done' | 'failed' };
    const interrupts = after.tasks.flatMap((task) => task.interrupts);
    record.waits = interrupts.map((each) => each.value as ApprovalWait);
    for (const [node, state] of Object.entries(values.nodes ?? {})) {
      const excerpt = outputExcerpt(state.output);
      record.nodes[node] = {
        ...record.nodes[node],
        status: state.status,
        ...(state.attempts !== undefined ? { attempts: state.attempts } : {}),
        ...(state.error ? { error: state.error } : {}),
        ...(excerpt !== undefined ? { outputExcerpt: excerpt } : {}),
      };
    }
    for (const wait of record.waits)
      record.nodes[wait.node] = { ...record.nodes[wait.node], status: 'waiting_approval' };
    record.status = interrupts.length > 0 ? 'waiting_approval' : (values.outcome ?? 'running');
    record.updated = now();
    const approvals = options.approvals;
    // Answers given already (while no one ran it, or before a resume) let the run go on at once, waiting or not.
    const answered =
      approvals && interrupts.length > 0 ? await decisionsFor(interrupts, approvals, plan) : undefined;
    const returning = !answered && (interrupts.length === 0 || options.wait === false || !approvals);
    if (returning) delete record.runner;
    if (record.status !== 'running' && !answered)
      options.log?.[record.status === 'failed' ? 'warn' : 'info']('plan', `plan.run.${record.status}`, {
        planId: plan.id,
        thread,
        waits: record.waits.map((wait) => wait.requestId),
      });
    await writes;
    await operations;
    await writeRunRecord(stateDir, record);
    const result = (): RunResult => ({
      thread,
      status: record.status,
      nodes: values.nodes ?? {},
      waits: record.waits,
      record,
    });
    if (answered) {
      input = new Command({ resume: answered });
      continue;
    }
    if (returning || !approvals) return result();

    // Wait until every approval the run waits for is decided (by `fleet approvals:approve`, VS Code, a rule...).
    let resume: Record<string, string> | undefined;
    while (resume === undefined) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      resume = await decisionsFor(interrupts, approvals, plan);
    }
    input = new Command({ resume });
  }
}
