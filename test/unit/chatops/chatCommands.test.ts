import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalStore, type ApprovalRequestInput } from '../../../extension/core/approvals';
import {
  handleChatMessage,
  parseChatCommand,
  type ChatAuditEntry,
  type ChatCommandPorts,
  type ChatSender,
} from '../../../extension/core/chatops/chatCommands';
import { ErrorCode, FleetError } from '../../../extension/core/errors';

describe('parseChatCommand', () => {
  const table: [string, ReturnType<typeof parseChatCommand>][] = [
    ['/approve ab12cd34', { kind: 'approve', id: 'ab12cd34' }],
    ['approve AB12', { kind: 'approve', id: 'ab12' }],
    ['  /APPROVE   ab12cd34  ', { kind: 'approve', id: 'ab12cd34' }],
    ['／ａｐｐｒｏｖｅ\u3000ａｂ１２', { kind: 'approve', id: 'ab12' }],
    ['批准 ab12cd34', { kind: 'approve', id: 'ab12cd34' }],
    ['/deny ab12cd34', { kind: 'deny', id: 'ab12cd34' }],
    ['/deny ab12cd34 too risky, 太危险', { kind: 'deny', id: 'ab12cd34', reason: 'too risky, 太危险' }],
    ['拒绝\u3000ab12\u3000不行', { kind: 'deny', id: 'ab12', reason: '不行' }],
    ['/status', { kind: 'status' }],
    ['状态', { kind: 'status' }],
    ['/send p1 npm test -- --watch=false', { kind: 'send', pane: 'p1', text: 'npm test -- --watch=false' }],
    ['发送 p1 请运行测试，谢谢', { kind: 'send', pane: 'p1', text: '请运行测试，谢谢' }],
    ['/send p1', { kind: 'help', problem: 'send needs a pane and the text to send' }],
    ['/approve', { kind: 'help', problem: 'approve needs an approval id' }],
    ['/reboot now', { kind: 'help', unknown: '/reboot' }],
    ['', { kind: 'help' }],
    ['/help', { kind: 'help' }],
  ];
  it.each(table)('%j', (text, expected) => {
    expect(parseChatCommand(text)).toEqual(expected);
  });
});

// The handler against a REAL ApprovalStore in a temp folder: the exactly-once path is the store's own.
describe('runChatCommand with a real ApprovalStore', () => {
  let dir: string;
  let store: ApprovalStore;
  let audit: ChatAuditEntry[];
  let sent: { pane: string; text: string; sender: ChatSender }[];
  let ports: ChatCommandPorts;
  const wecom: ChatSender = { channel: 'wecom', userId: 'zhangsan' };
  const slack: ChatSender = { channel: 'slack', userId: 'U2CERLKJA', userName: 'roadrunner' };

  const request = (overrides: Partial<ApprovalRequestInput> = {}) =>
    store.request({
      pane: 'p1',
      agent: 'codex',
      kind: 'command',
      command: 'rm -rf build',
      risk: 'high',
      reasons: ['deletes files'],
      source: 'agent',
      ...overrides,
    });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fleetai-chatops-'));
    store = new ApprovalStore({ approvalsDir: path.join(dir, 'approvals') });
    audit = [];
    sent = [];
    ports = {
      approvals: store,
      panes: () => [
        { id: 'p1', state: 'working', agent: 'codex' },
        { id: 'p2', state: 'waiting_approval', agent: 'claude' },
        { id: 'p3', state: 'working', agent: 'gemini' },
      ],
      send: (pane, text, sender) => {
        if (pane !== 'p1')
          return Promise.reject(new FleetError(ErrorCode.PaneNotFound, `No agent pane "${pane}"`));
        sent.push({ pane, text, sender });
        return Promise.resolve({ id: `c${sent.length}`, requires_confirmation: text.startsWith('rm ') });
      },
      audit: (entry) => audit.push(entry),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('approves exactly once; the second /approve (any channel) names who decided first', async () => {
    const pending = await request();
    const first = await handleChatMessage(`/approve ${pending.id}`, wecom, ports);
    expect(first).toMatchObject({ ok: true });
    expect(first.text).toContain(`Approved ${pending.id}`);
    expect(first.text).toContain('已批准');

    const [again, late] = await Promise.all([
      handleChatMessage(`/approve ${pending.id}`, slack, ports),
      handleChatMessage(`/deny ${pending.id} no`, slack, ports),
    ]);
    for (const reply of [again, late]) {
      expect(reply).toMatchObject({ ok: false, code: ErrorCode.ApprovalAlreadyDecided });
      expect(reply.text).toContain('approve by wecom, via wecom by zhangsan');
      expect(reply.text).toContain('已被处理');
    }

    const completed = await store.completed();
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      id: pending.id,
      decision: 'approve',
      decidedBy: 'wecom',
      message: 'via wecom by zhangsan',
    });
    expect(await store.pending()).toEqual([]);
    // The two late answers ran side by side: their audit lines may come in either order.
    expect(audit.map((a) => [a.channel, a.command, a.ok])[0]).toEqual(['wecom', 'approve', true]);
    expect(audit.slice(1).map((a) => [a.channel, a.command, a.ok])).toEqual(
      expect.arrayContaining([
        ['slack', 'approve', false],
        ['slack', 'deny', false],
      ]),
    );
    expect(audit).toHaveLength(3);
  });

  it('two channels racing for the same approval: one wins, the other is told', async () => {
    const pending = await request();
    const replies = await Promise.all([
      handleChatMessage(`/approve ${pending.id}`, wecom, ports),
      handleChatMessage(`/deny ${pending.id}`, slack, ports),
    ]);
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => r.code === ErrorCode.ApprovalAlreadyDecided)).toHaveLength(1);
    expect(await store.completed()).toHaveLength(1);
  });

  it('denies by unique prefix with the reason and the Slack user in the audit', async () => {
    const pending = await request();
    const reply = await handleChatMessage(`/deny ${pending.id.slice(0, 5)} 太危险 too risky`, slack, ports);
    expect(reply).toMatchObject({ ok: true });
    expect(reply.text).toContain(`Denied ${pending.id}`);
    expect(await store.get(pending.id)).toMatchObject({
      decision: 'deny',
      decidedBy: 'slack',
      message: 'via slack by U2CERLKJA (roadrunner): 太危险 too risky',
    });
  });

  it('refuses unknown, too short and ambiguous ids without deciding anything', async () => {
    const a = await request({ pane: 'p1' });
    const b = await request({ pane: 'p2' });
    expect(await handleChatMessage('/approve ffffffff0', wecom, ports)).toMatchObject({
      ok: false,
      code: ErrorCode.ApprovalNotFound,
    });
    expect(await handleChatMessage(`/approve ${a.id.slice(0, 2)}`, wecom, ports)).toMatchObject({
      ok: false,
    });
    // Ambiguity needs two ids with a common prefix: the ports' view narrowed to make them collide.
    const ambiguous = await handleChatMessage('/approve abcd', wecom, {
      ...ports,
      approvals: {
        get: () => Promise.resolve(undefined),
        pending: () =>
          Promise.resolve([
            { ...a, id: 'abcd0001' },
            { ...b, id: 'abcd0002' },
          ]),
        completed: () => Promise.resolve([]),
        decide: (id, decision, by) => store.decide(id, decision, by),
      },
    });
    expect(ambiguous).toMatchObject({ ok: false, code: ErrorCode.ChatCommand });
    expect(ambiguous.text).toContain('abcd0001, abcd0002');
    expect(await store.completed()).toEqual([]);
    expect(await store.pending()).toHaveLength(2);
  });

  it('only lets allowed users decide or send', async () => {
    const pending = await request();
    const reply = await handleChatMessage(`/approve ${pending.id}`, slack, ports, {
      allowedUsers: ['zhangsan'],
    });
    expect(reply).toMatchObject({ ok: false, code: ErrorCode.ChatCommand });
    expect(await store.pending()).toHaveLength(1);
    expect(await handleChatMessage('/status', slack, ports, { allowedUsers: ['zhangsan'] })).toMatchObject({
      ok: true,
    });
    expect(
      await handleChatMessage(`/approve ${pending.id}`, wecom, ports, { allowedUsers: ['zhangsan'] }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('summarises panes and pending approvals for /status', async () => {
    const pending = await request();
    const reply = await handleChatMessage('／status', wecom, ports);
    expect(reply.ok).toBe(true);
    expect(reply.text).toContain('3 pane(s): 2 working, 1 waiting_approval; 1 approval(s) pending.');
    expect(reply.text).toContain('3 个窗格');
    expect(reply.text).toContain(`- ${pending.id} [high] p1: rm -rf build`);
  });

  it('sends text to a pane through the send port and reports an unknown pane', async () => {
    const ok = await handleChatMessage('/send p1 please run the tests 请运行测试', wecom, ports);
    expect(ok).toMatchObject({ ok: true });
    expect(sent).toEqual([{ pane: 'p1', text: 'please run the tests 请运行测试', sender: wecom }]);
    const risky = await handleChatMessage('/send p1 rm -rf dist', wecom, ports);
    expect(risky.text).toContain('waits for an approval');
    const missing = await handleChatMessage('/send p9 hello', wecom, ports);
    expect(missing).toMatchObject({ ok: false, code: ErrorCode.PaneNotFound });
    expect(missing.text).toContain('p9');
    expect(sent).toHaveLength(2);
  });

  it('answers an unknown command with the help text in both languages', async () => {
    const reply = await handleChatMessage('/reboot now', wecom, ports);
    expect(reply).toMatchObject({ ok: false, code: ErrorCode.ChatCommand });
    expect(reply.text).toContain('Unknown command "/reboot"');
    expect(reply.text).toContain('/approve <id>');
    expect(reply.text).toContain('命令：');
  });
});
