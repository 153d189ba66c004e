import type {
  ChatApprovalView,
  ChatCommandOptions,
  ChatCommandPorts,
  ChatSender,
} from '../chatops/chatCommands';
import type { Logger } from '../observability/appLog';
import type { RemoteSender, RemoteSupervisor } from './remoteSupervisor';

/** The chat sender as the remote supervisor records it (channel + the user id the platform vouched for). */
export function remoteSender(sender: ChatSender): RemoteSender {
  return {
    channel: sender.channel,
    userId: sender.userId,
    ...(sender.userName ? { userName: sender.userName } : {}),
  };
}

/**
 * The chat commands' ports over the remote supervisor, for one verified sender: decisions go through the
 * orchestrator's exactly-once path (so the agent is answered, not only the store) and are recorded with the
 * channel as `decidedBy`; `/send` goes through its command queue with source `remote`.
 */
export function chatPorts(
  remote: RemoteSupervisor,
  sender: ChatSender,
  log: Pick<Logger, 'info'>,
): ChatCommandPorts {
  const who = remoteSender(sender);
  return {
    approvals: {
      pending: () => remote.approvals.pending(),
      completed: (options) => remote.approvals.completed(options),
      get: (id) => remote.approvals.get(id),
      decide: async (id, decision, by) => {
        // Who decided comes from the verified callback (`who`), never from the port's caller.
        const result = await remote.decide(id, decision, who, by.reason);
        if (!result.ok) return result;
        const record: ChatApprovalView = {
          id: result.record.id,
          pane: result.record.pane,
          command: result.record.command,
          risk: result.record.risk,
          ...(result.record.decision ? { decision: result.record.decision } : {}),
          ...(result.record.decidedBy ? { decidedBy: result.record.decidedBy } : {}),
          message: result.record.message,
        };
        return { ok: true, record };
      },
    },
    panes: async () =>
      (await remote.status()).panes.map((p) => ({
        id: p.id,
        state: p.state,
        agent: p.agent,
        ...(p.branch ? { branch: p.branch } : {}),
      })),
    send: (pane, text, from) => remote.send(pane, text, remoteSender(from)),
    audit: (entry) => log.info('chat', 'chat.command', { ...entry }),
  };
}

/** The portal section's `allowed_users` as the chat commands read it: an empty list lets anyone through. */
export function chatCommandOptions(allowedUsers: readonly string[]): ChatCommandOptions {
  return allowedUsers.length > 0 ? { allowedUsers } : {};
}
