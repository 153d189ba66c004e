import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { RiskRules } from '../../approvals/riskRules';
import type { FleetError } from '../../errors';
import { appendOperationsEntry } from '../../observability/operationsLog';
import { stateWriteFacts, stateWriteFix } from '../../store/stateWriteError';
import { isControlNode, type Plan } from '../planSchema';
import { compilePlan } from './compilePlan';
import type { RunPlanOptions, RunResult } from './runTypes';
import { writeRunRecord, type RunRecord } from './runRecord';
import type { NodeStates } from './runState';

export interface PauseInput {
  options: RunPlanOptions;
  plan: Plan;
  thread: string;
  record: RunRecord;
  checkpointer: BaseCheckpointSaver;
  riskRules: RiskRules;
  error: FleetError;
}

/**
 * A run whose state could not be written (E_STATE_WRITE) stops where it is: `paused`, resumable with
 * `fleet plan:resume THREAD` once the disk takes writes again. Its nodes are not marked failed (their attempts
 * are kept for real failures); the nodes of the step whose checkpoint failed run again on resume, the ones
 * checkpointed before do not. A person hears of it through the notifier, the app log and the operations log.
 */
export async function pauseForStateWrite(input: PauseInput): Promise<RunResult> {
  const { options, plan, thread, record, error } = input;
  const facts = stateWriteFacts(error);
  const fix = stateWriteFix(facts.file, facts.osCode);
  const at = new Date().toISOString();
  const again = await nodesToRunAgain(input);
  // The record keeps `running` (unfinished) with no runner: `paused` says why it stopped.
  record.status = 'running';
  record.paused = { at, nodes: again, file: facts.file, osCode: facts.osCode, error: facts.message };
  record.updated = at;
  record.waits = [];
  delete record.runner;
  // Most likely refused too (the record is in the same folder); the one saved before stays, and a resume
  // named by its thread does not need this one.
  await writeRunRecord(options.stateDir, record).catch((failure: unknown) =>
    options.log?.warn('plan', 'plan.run.record_unwritable', { thread, error: String(failure) }),
  );
  const where = again.length > 0 ? again.join(', ') : 'its next step';
  const resume = `fleet plan:resume ${thread} --workspace ${options.workspace}`;
  options.log?.error('plan', 'plan.run.paused', {
    planId: plan.id,
    thread,
    nodes: again,
    file: facts.file,
    osCode: facts.osCode,
  });
  options.notifier?.notify({
    severity: 'critical',
    title: `Plan run paused: state not writable`,
    message:
      `${plan.id} (${thread}) stopped at ${where}: could not write ${facts.file} (${facts.osCode}). Nothing ` +
      `saved was lost. Fix: ${fix.en}; then run \`${resume}\`. / 计划运行已在 ${where} 暂停：无法写入 ` +
      `${facts.file}（${facts.osCode}），已保存的内容未丢失。处理：${fix.zh}；然后运行 \`${resume}\`。`,
    requires_confirmation: false,
  });
  await appendOperationsEntry(
    options.workspace,
    {
      at,
      subject: `${plan.id} / ${where}`,
      title: 'paused: state not writable / 已暂停：状态不可写',
      facts: { run: `\`${thread}\``, file: `\`${facts.file}\` (${facts.osCode})` },
      happened: facts.message,
      tried: [
        'stopped at once: the nodes were not retried, so their attempts are kept / 立即停止，未重试节点，尝试次数保留',
      ],
      todo: `${fix.en}, then \`${resume}\` / ${fix.zh}，然后 \`${resume}\``,
    },
    options.log,
  );
  return { thread, status: 'paused', nodes: nodeStates(record), waits: [], record };
}

/**
 * The work nodes that ran (or were running) in this process after the last saved checkpoint: their results were
 * not saved, so a resume runs them again; the ones the checkpoint has finished are not run again.
 */
async function nodesToRunAgain(input: PauseInput): Promise<string[]> {
  let saved: NodeStates = {};
  try {
    const app = compilePlan(input.plan, {
      ...input.options,
      riskRules: input.riskRules,
      checkpointer: input.checkpointer,
    });
    const snapshot = await app.getState({ configurable: { thread_id: input.thread } });
    saved = (snapshot.values as { nodes?: NodeStates } | undefined)?.nodes ?? {};
  } catch {
    // Which nodes is a detail of the report: the pause itself must not fail on it.
  }
  const finished = new Set(['done', 'skipped', 'failed']);
  return input.plan.nodes
    .filter((node) => !isControlNode(node))
    .map((node) => node.id)
    .filter((id) => {
      const ran = input.record.nodes[id]?.status;
      return (ran === 'running' || ran === 'done') && !finished.has(saved[id]?.status ?? 'pending');
    });
}

function nodeStates(record: RunRecord): NodeStates {
  return Object.fromEntries(
    Object.entries(record.nodes).map(([id, node]) => [
      id,
      {
        status: node.status,
        ...(node.attempts !== undefined ? { attempts: node.attempts } : {}),
        ...(node.error ? { error: node.error } : {}),
      },
    ]),
  );
}
