import type { ApprovalRecord, ApprovalRequest, CompletedApproval } from '../approvals';
import type { Logger } from '../observability/appLog';
import type { Orchestrator } from '../supervisor/orchestrator';
import type { Blocker } from '../supervisor/paneMetadata';
import type { ApprovalRecordView } from '../supervisor/ports';

/** Where a decision or an instruction came from when it did not come from the editor or the CLI. */
export type RemoteChannel = 'portal' | 'wecom' | 'slack';

/** Who acted, as the channel proved it (a portal token holder, a WeCom UserID, a Slack user id). */
export interface RemoteSender {
  channel: RemoteChannel;
  /** The chat user id; absent for the portal, whose token names no person. */
  userId?: string;
  userName?: string;
}

export interface RemotePane {
  id: string;
  agent: string;
  branch?: string;
  state: string;
  reason?: string;
  since: string;
  phase?: string;
  task?: string;
  blockers: Blocker[];
  queued: number;
}

export interface RemoteApproval {
  id: string;
  pane: string;
  branch?: string;
  agent: string;
  kind: string;
  risk: string;
  command?: string;
  reason?: string;
  reasons: string[];
  requestedAt: string;
  /** The last lines of the agent's screen when it asked. */
  excerpt?: string;
}

export interface RemoteBlocker extends Blocker {
  pane: string;
  branch?: string;
}

/** What a person away from the editor needs to decide: the portal's page and the chats' /status read it. */
export interface RemoteStatus {
  generatedAt: string;
  heartbeatAt?: string;
  dryRun: boolean;
  panes: RemotePane[];
  approvals: RemoteApproval[];
  blockers: RemoteBlocker[];
}

export type RemoteDecideResult =
  { ok: true; record: ApprovalRecordView } | { ok: false; error: { code: string; message: string } };

/**
 * The supervisor as the remote channels see it. Decisions go through the orchestrator's own path (the approvals
 * store decides exactly once across processes, then the agent is answered), recorded with the channel as
 * `decidedBy`; instructions go through its command queue, so the risk rules apply to a phone as to anyone.
 */
export interface RemoteSupervisor {
  status(): Promise<RemoteStatus>;
  decide(
    id: string,
    decision: 'approve' | 'deny',
    sender: RemoteSender,
    reason?: string,
  ): Promise<RemoteDecideResult>;
  send(
    pane: string,
    text: string,
    sender: RemoteSender,
  ): Promise<{ id: string; risk: string; requires_confirmation: boolean }>;
  /** For chat ids given by prefix, and for "already decided by ..." answers. */
  approvals: {
    pending(): Promise<ApprovalRequest[]>;
    completed(options?: { limit?: number }): Promise<CompletedApproval[]>;
    get(id: string): Promise<ApprovalRecord | undefined>;
  };
}

export interface RemoteSupervisorOptions {
  orchestrator: Pick<Orchestrator, 'snapshot' | 'decideApproval' | 'submit'>;
  panes(): ReadonlyArray<{
    id: string;
    kind: string;
    branch?: string | undefined;
    state: { name: string; reason?: string | undefined; since: string };
  }>;
  store: RemoteSupervisor['approvals'];
  log: Pick<Logger, 'info'>;
}

/** The message kept with a remote decision: who, and the reason given. */
export function remoteDecisionMessage(sender: RemoteSender, reason?: string): string {
  const who = sender.userId
    ? `${sender.userId}${sender.userName ? ` (${sender.userName})` : ''}`
    : `the ${sender.channel} token holder`;
  return `via ${sender.channel} by ${who}${reason ? `: ${reason}` : ''}`;
}

export function remoteSupervisor(options: RemoteSupervisorOptions): RemoteSupervisor {
  const { orchestrator, store, log } = options;
  return {
    approvals: store,
    status: async () => {
      const state = orchestrator.snapshot();
      const metas = Object.values(state.panes);
      const panes: RemotePane[] = options.panes().map((p) => {
        const meta = metas.find((m) => m.pane === p.id);
        return {
          id: p.id,
          agent: p.kind,
          ...(p.branch ? { branch: p.branch } : {}),
          state: p.state.name,
          ...(p.state.reason ? { reason: p.state.reason } : {}),
          since: p.state.since,
          ...(meta ? { phase: meta.phase } : {}),
          ...(meta?.task ? { task: meta.task } : {}),
          blockers: meta?.blockers ?? [],
          queued: meta?.queued_commands.length ?? 0,
        };
      });
      const approvals = (await store.pending()).map((r): RemoteApproval => ({
        id: r.id,
        pane: r.pane,
        ...(r.branch ? { branch: r.branch } : {}),
        agent: r.agent,
        kind: r.kind,
        risk: r.risk,
        ...(r.command !== undefined ? { command: r.command } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        reasons: r.reasons,
        requestedAt: r.requestedAt,
        ...(r.transcriptExcerpt ? { excerpt: r.transcriptExcerpt } : {}),
      }));
      return {
        generatedAt: new Date().toISOString(),
        ...(state.orchestrator_heartbeat ? { heartbeatAt: state.orchestrator_heartbeat } : {}),
        dryRun: state.dry_run,
        panes,
        approvals,
        // An approval is listed as an approval; the other blockers are what holds a pane that nobody asked about.
        blockers: panes.flatMap((p) =>
          p.blockers
            .filter((b) => b.kind !== 'approval')
            .map((b) => ({ ...b, pane: p.id, ...(p.branch ? { branch: p.branch } : {}) })),
        ),
      };
    },
    decide: async (id, decision, sender, reason) => {
      const message = remoteDecisionMessage(sender, reason);
      const result = await orchestrator.decideApproval(id, decision, sender.channel, message);
      log.info('remote', 'remote.decision', {
        id,
        decision,
        channel: sender.channel,
        ...(sender.userId ? { user: sender.userId } : {}),
        ok: result.ok,
        ...(result.ok ? {} : { code: result.error.code }),
      });
      if (!result.ok) return { ok: false, error: { code: result.error.code, message: result.error.message } };
      return { ok: true, record: result.record };
    },
    send: async (pane, text, sender) => {
      const queued = await orchestrator.submit({ pane, text, source: 'remote' });
      log.info('remote', 'remote.send', {
        pane,
        channel: sender.channel,
        ...(sender.userId ? { user: sender.userId } : {}),
        command_id: queued.id,
        risk: queued.risk,
        requires_confirmation: queued.requires_confirmation,
      });
      return { id: queued.id, risk: queued.risk, requires_confirmation: queued.requires_confirmation };
    },
  };
}
