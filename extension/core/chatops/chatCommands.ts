import { ErrorCode, FleetError, describeError } from '../errors';

/** What a chat message asks for. `help` also stands for anything not understood (`unknown` holds the word). */
export type ChatCommand =
  | { kind: 'approve'; id: string }
  | { kind: 'deny'; id: string; reason?: string }
  | { kind: 'status' }
  | { kind: 'send'; pane: string; text: string }
  | { kind: 'help'; unknown?: string; problem?: string };

/** Command words, English and Chinese, to what they mean. */
const WORDS: Record<string, 'approve' | 'deny' | 'status' | 'send' | 'help'> = {
  approve: 'approve',
  ok: 'approve',
  批准: 'approve',
  同意: 'approve',
  deny: 'deny',
  reject: 'deny',
  拒绝: 'deny',
  status: 'status',
  状态: 'status',
  send: 'send',
  发送: 'send',
  help: 'help',
  帮助: 'help',
};

/** True when `word` (with or without its slash, full-width or not) is one of the chat commands. */
export function isChatCommandWord(word: string): boolean {
  return normalizeWord(word) in WORDS;
}

/**
 * Reads `/approve <id>`, `/deny <id> [reason]`, `/status`, `/send <pane> <text>`: the slash is optional and
 * phone keyboards' full-width forms (`／ａｐｐｒｏｖｅ`, the ideographic space) are read as their ASCII twins.
 * The reason and the text sent to a pane are kept exactly as typed.
 */
export function parseChatCommand(message: string): ChatCommand {
  const [word = '', rest = ''] = splitFirst(message.trim());
  const kind = WORDS[normalizeWord(word)];
  if (!kind) return word ? { kind: 'help', unknown: word } : { kind: 'help' };
  switch (kind) {
    case 'status':
    case 'help':
      return { kind };
    case 'approve':
    case 'deny': {
      const [id = '', reason = ''] = splitFirst(rest);
      if (!id) return { kind: 'help', problem: `${kind} needs an approval id` };
      const normalizedId = id.normalize('NFKC').toLowerCase();
      if (kind === 'approve') return { kind, id: normalizedId };
      return reason ? { kind, id: normalizedId, reason } : { kind, id: normalizedId };
    }
    case 'send': {
      const [pane = '', text = ''] = splitFirst(rest);
      if (!pane || !text) return { kind: 'help', problem: 'send needs a pane and the text to send' };
      return { kind, pane: pane.normalize('NFKC'), text };
    }
  }
}

function normalizeWord(word: string): string {
  return word.normalize('NFKC').replace(/^\//, '').toLowerCase();
}

/** The first word and the rest; `\s` includes the ideographic space (U+3000) Chinese keyboards type. */
function splitFirst(text: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/u.exec(text.trim());
  return match ? [match[1] ?? '', (match[2] ?? '').trim()] : ['', ''];
}

// --- the handler -----------------------------------------------------------------------------------------------

export type ChatChannel = 'wecom' | 'slack';

/** Who sent a command, from the verified callback (never from the message text). */
export interface ChatSender {
  channel: ChatChannel;
  userId: string;
  userName?: string;
}

/** An approval as the chat needs it (ApprovalStore's records fit). */
export interface ChatApprovalView {
  id: string;
  pane: string;
  command?: string | undefined;
  reason?: string | undefined;
  risk: string;
  decision?: string;
  decidedBy?: string;
  decidedAt?: string;
  message?: string | undefined;
}

/** The approvals, exactly once across processes: the workspace's ApprovalStore fits as it is. */
export interface ChatApprovalsPort {
  pending(): Promise<readonly ChatApprovalView[]>;
  completed(options?: { limit?: number }): Promise<readonly ChatApprovalView[]>;
  get(id: string): Promise<ChatApprovalView | undefined>;
  decide(
    id: string,
    decision: 'approve' | 'deny',
    /** `by` is the channel (wecom / slack) the decision came through; `reason` is the one the person gave. */
    by: { by: ChatChannel; message?: string; reason?: string },
  ): Promise<
    { ok: true; record: ChatApprovalView } | { ok: false; error: { code: string; message: string } }
  >;
}

export interface ChatPaneView {
  id: string;
  state: string;
  agent?: string;
  branch?: string;
}

export interface ChatCommandPorts {
  approvals: ChatApprovalsPort;
  /** The supervisor's panes (what `fleet status` lists). */
  panes(): Promise<readonly ChatPaneView[]> | readonly ChatPaneView[];
  /**
   * Queues text for a pane the way `fleet send` does (the supervisor's command queue, with its risk check);
   * throws E_PANE_NOT_FOUND for an unknown pane.
   */
  send(
    pane: string,
    text: string,
    sender: ChatSender,
  ): Promise<{ id: string; requires_confirmation: boolean }>;
  /** Every command and its outcome, with channel and sender, for the audit log. */
  audit?(entry: ChatAuditEntry): void;
}

export interface ChatAuditEntry {
  channel: ChatChannel;
  userId: string;
  command: ChatCommand['kind'];
  target?: string;
  ok: boolean;
  code?: string;
}

export interface ChatReply {
  ok: boolean;
  /** English line(s), then the Chinese ones. */
  text: string;
  code?: string;
}

export interface ChatCommandOptions {
  /** When set, only these user ids (WeCom UserID, Slack user_id) may decide or send; anyone may ask for status. */
  allowedUsers?: readonly string[];
  /** Shortest id prefix accepted for an approval. */
  minIdPrefix?: number;
}

/** How many answered records to search when a prefix matches no pending request. */
const COMPLETED_LOOKBACK = 500;

/**
 * Runs one chat command for `sender` and returns a short reply in English and Chinese. Approvals are decided
 * through the store's exactly-once path as the channel (`wecom` / `slack`), with the user id in the message, so
 * the audit says who answered from where; a second answer reports the first instead of making another.
 */
export async function runChatCommand(
  command: ChatCommand,
  sender: ChatSender,
  ports: ChatCommandPorts,
  options: ChatCommandOptions = {},
): Promise<ChatReply> {
  const audit = (reply: ChatReply, target?: string): ChatReply => {
    ports.audit?.({
      channel: sender.channel,
      userId: sender.userId,
      command: command.kind,
      ...(target !== undefined ? { target } : {}),
      ok: reply.ok,
      ...(reply.code !== undefined ? { code: reply.code } : {}),
    });
    return reply;
  };
  if (
    options.allowedUsers &&
    (command.kind === 'approve' || command.kind === 'deny' || command.kind === 'send') &&
    !options.allowedUsers.includes(sender.userId)
  ) {
    return audit(
      refuse(
        ErrorCode.ChatCommand,
        `User ${sender.userId} may not ${command.kind} here.`,
        `用户 ${sender.userId} 无权执行 ${command.kind}。`,
      ),
    );
  }
  try {
    switch (command.kind) {
      case 'help':
        return audit(help(command));
      case 'status':
        return audit(await status(ports));
      case 'approve':
      case 'deny':
        return await decide(command, sender, ports, options, audit);
      case 'send': {
        const queued = await ports.send(command.pane, command.text, sender);
        const waits = queued.requires_confirmation;
        return audit(
          {
            ok: true,
            text: waits
              ? `Queued for ${command.pane} (${queued.id}); it waits for an approval.\n已加入 ${command.pane} 的队列（${queued.id}），等待确认。`
              : `Sent to ${command.pane} (${queued.id}).\n已发送到 ${command.pane}（${queued.id}）。`,
          },
          command.pane,
        );
      }
    }
  } catch (error) {
    const code = error instanceof FleetError ? error.code : ErrorCode.Internal;
    const target = command.kind === 'send' ? command.pane : undefined;
    return audit(refuse(code, `Failed: ${describeError(error)}`, `失败：${describeError(error)}`), target);
  }
}

/** Parses and runs a message in one call. */
export function handleChatMessage(
  message: string,
  sender: ChatSender,
  ports: ChatCommandPorts,
  options?: ChatCommandOptions,
): Promise<ChatReply> {
  return runChatCommand(parseChatCommand(message), sender, ports, options);
}

async function decide(
  command: { kind: 'approve'; id: string } | { kind: 'deny'; id: string; reason?: string },
  sender: ChatSender,
  ports: ChatCommandPorts,
  options: ChatCommandOptions,
  audit: (reply: ChatReply, target?: string) => ChatReply,
): Promise<ChatReply> {
  const found = await resolveId(command.id, ports.approvals, options.minIdPrefix ?? 4);
  if (!found.ok) return audit(found.reply, command.id);
  const id = found.id;
  const reason = command.kind === 'deny' ? command.reason : undefined;
  const who = sender.userName ? `${sender.userId} (${sender.userName})` : sender.userId;
  const result = await ports.approvals.decide(id, command.kind, {
    by: sender.channel,
    message: `via ${sender.channel} by ${who}${reason ? `: ${reason}` : ''}`,
    ...(reason ? { reason } : {}),
  });
  if (result.ok) {
    const what = result.record.command ?? result.record.reason ?? result.record.pane;
    return audit(
      command.kind === 'approve'
        ? { ok: true, text: `Approved ${id} (${what}).\n已批准 ${id}（${what}）。` }
        : { ok: true, text: `Denied ${id} (${what}).\n已拒绝 ${id}（${what}）。` },
      id,
    );
  }
  if (result.error.code === ErrorCode.ApprovalAlreadyDecided) {
    return audit(alreadyDecided((await ports.approvals.get(id)) ?? { id, pane: '', risk: '' }), id);
  }
  return audit(refuse(result.error.code, result.error.message, `操作失败：${result.error.message}`), id);
}

/** An exact id, or the one pending (else answered) request whose id starts with `given`. */
async function resolveId(
  given: string,
  approvals: ChatApprovalsPort,
  minPrefix: number,
): Promise<{ ok: true; id: string } | { ok: false; reply: ChatReply }> {
  const exact = await approvals.get(given);
  if (exact) return { ok: true, id: exact.id };
  const notFound = refuse(
    ErrorCode.ApprovalNotFound,
    `No approval ${given}. Send /status for the pending ones.`,
    `没有审批 ${given}。发送 /status 查看待审批项。`,
  );
  if (given.length < minPrefix) return { ok: false, reply: notFound };
  for (const list of [await approvals.pending(), await approvals.completed({ limit: COMPLETED_LOOKBACK })]) {
    const matches = list.filter((r) => r.id.startsWith(given));
    if (matches.length === 1 && matches[0]) return { ok: true, id: matches[0].id };
    if (matches.length > 1) {
      const ids = matches.map((r) => r.id).join(', ');
      return {
        ok: false,
        reply: refuse(
          ErrorCode.ChatCommand,
          `${given} matches several approvals (${ids}); type more of the id.`,
          `${given} 匹配多个审批（${ids}），请输入更长的 id。`,
        ),
      };
    }
  }
  return { ok: false, reply: notFound };
}

function alreadyDecided(record: ChatApprovalView): ChatReply {
  const by = record.message ? `${record.decidedBy ?? '?'}, ${record.message}` : (record.decidedBy ?? '?');
  const decision = record.decision ?? '?';
  const at = record.decidedAt ?? '?';
  return refuse(
    ErrorCode.ApprovalAlreadyDecided,
    `${record.id} was already decided: ${decision} by ${by} at ${at}. Nothing changed.`,
    `${record.id} 已被处理：${decision}，处理者 ${by}，时间 ${at}。未做任何更改。`,
  );
}

async function status(ports: ChatCommandPorts): Promise<ChatReply> {
  const [panes, pending] = await Promise.all([ports.panes(), ports.approvals.pending()]);
  const byState = new Map<string, number>();
  for (const pane of panes) byState.set(pane.state, (byState.get(pane.state) ?? 0) + 1);
  const states = [...byState].map(([state, n]) => `${n} ${state}`).join(', ');
  const lines = [
    `${panes.length} pane(s)${states ? `: ${states}` : ''}; ${pending.length} approval(s) pending.`,
    `${panes.length} 个窗格${states ? `：${states}` : ''}；${pending.length} 个待审批。`,
  ];
  for (const r of pending.slice(0, 5)) {
    lines.push(`- ${r.id} [${r.risk}] ${r.pane}: ${truncate(r.command ?? r.reason ?? '', 80)}`);
  }
  if (pending.length > 5) lines.push(`(+${pending.length - 5})`);
  return { ok: true, text: lines.join('\n') };
}

function help(command: { unknown?: string; problem?: string }): ChatReply {
  const first = command.problem
    ? [`${command.problem}.`, '命令参数不完整。']
    : command.unknown
      ? [
          `Unknown command "${truncate(command.unknown, 40)}".`,
          `未知命令“${truncate(command.unknown, 40)}”。`,
        ]
      : [];
  return {
    ok: !command.unknown && !command.problem,
    ...(command.unknown || command.problem ? { code: ErrorCode.ChatCommand } : {}),
    text: [
      ...first,
      'Commands: /approve <id>, /deny <id> [reason], /status, /send <pane> <text>',
      '命令：/approve <id> 批准，/deny <id> [原因] 拒绝，/status 状态，/send <窗格> <文本> 发送',
    ].join('\n'),
  };
}

function refuse(code: string, en: string, zh: string): ChatReply {
  return { ok: false, code, text: `${en}\n${zh}` };
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
