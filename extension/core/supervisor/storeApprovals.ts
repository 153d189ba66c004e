import { mkdirSync } from 'node:fs';
import {
  ApprovalStore,
  DecidedBySchema,
  type ApprovalRequest,
  type CompletedApproval,
  type DecidedBy,
} from '../approvals';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { Disposable } from '../panes/events';
import type { WorkspacePaths } from '../workspacePaths';
import type { ApprovalRecordView, ApprovalsPort } from './ports';

const DECIDERS: readonly string[] = DecidedBySchema.options;

function view(record: ApprovalRequest | CompletedApproval): ApprovalRecordView {
  return {
    id: record.id,
    pane: record.pane,
    ...(record.command !== undefined ? { command: record.command } : {}),
    kind: record.kind,
    risk: record.risk,
    source: record.source,
    ...('decision' in record
      ? {
          decision: record.decision,
          decidedBy: record.decidedBy,
          ...(record.message ? { message: record.message } : {}),
        }
      : {}),
  };
}

export async function openApprovalStore(paths: Pick<WorkspacePaths, 'approvalsDir'>): Promise<ApprovalStore> {
  mkdirSync(paths.approvalsDir, { recursive: true });
  return Promise.resolve(ApprovalStore.forWorkspace(paths));
}

/**
 * The supervisor's approvals on the workspace's ApprovalStore: decisions made by any process (another window, the
 * CLI without a supervisor, a webhook receiver) come back through the store's watch, so the supervisor carries
 * them to the agent whoever decided.
 */
export function storeApprovalsPort(
  paths: Pick<WorkspacePaths, 'approvalsDir'>,
  log: Logger,
): ApprovalsPort & Disposable {
  mkdirSync(paths.approvalsDir, { recursive: true });
  const store = ApprovalStore.forWorkspace(paths);
  const listeners = new Set<(record: ApprovalRecordView) => void>();
  const seen = new Set<string>();
  const deliver = (record: CompletedApproval): void => {
    if (seen.has(record.id)) return;
    seen.add(record.id);
    for (const listener of listeners) listener(view(record));
  };
  let watch: Disposable | undefined;
  try {
    watch = store.watch((change) => {
      if (change.error) log.warn('approvals', 'approvals.read_failed', { error: change.error.message });
      for (const record of change.decided) deliver(record);
    });
  } catch (error) {
    log.error('approvals', 'approvals.watch_failed', { error: describeError(error) });
  }
  return {
    request: async (input) => view(await store.request(input)),
    decide: async (id, decision, by) => {
      const decidedBy = (DECIDERS.includes(by.by) ? by.by : 'vscode') as DecidedBy;
      const result = await store.decide(id, decision, {
        by: decidedBy,
        ...(by.message ? { message: by.message } : {}),
      });
      if (!result.ok) return { ok: false, error: { code: result.error.code, message: result.error.message } };
      deliver(result.record);
      return { ok: true, record: view(result.record) };
    },
    pending: async () => (await store.pending()).map(view),
    expire: async (olderThanMs) => (await store.expire(olderThanMs)).map(view),
    onDecided: (listener) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    dispose: () => watch?.dispose(),
  };
}
