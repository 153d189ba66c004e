import { describe, expect, it } from 'vitest';
import {
  approvalFromTool,
  isTitleTurn,
  mapHookPayload,
  type HookContext,
  type HookOutcome,
} from '../../../extension/core/agents/hooks/hookEvents';
import {
  parseHookPayload,
  type CodexNotifyPayload,
  type HookPayload,
} from '../../../extension/core/agents/hooks/hookPayloads';
import type { PaneStateName } from '../../../extension/core/panes/types';
import { formatIssues } from '../../../extension/core/schemas/issues';
import { CLAUDE_SCENARIOS, CODEX_SCENARIOS, claudeScenario, codexScenario } from './fixtures';

const options = [
  { keys: '1', label: 'Yes' },
  { keys: '\u001b', label: 'No' },
];

function parsed(payload: unknown): HookPayload {
  const result = parseHookPayload(payload);
  if (!result.ok) throw new Error(formatIssues(result.issues).join('; '));
  return result.value;
}

/** Plays events the way the listener does: the state a report sets is the next event's `current`. */
function play(payloads: unknown[], start: PaneStateName = 'starting'): HookOutcome[] {
  let current: PaneStateName = start;
  let pendingTool: string | undefined;
  return payloads.map((payload) => {
    const context: HookContext = { current: { name: current }, pendingTool, approvalOptions: options };
    const outcome = mapHookPayload(parsed(payload), context);
    if (outcome.type !== 'ignore' && 'pendingTool' in outcome) {
      if (outcome.pendingTool === null) pendingTool = undefined;
      else if (outcome.pendingTool !== undefined) pendingTool = outcome.pendingTool;
    }
    if (outcome.type === 'report') current = outcome.candidate.name;
    return outcome;
  });
}

function summary(outcomes: HookOutcome[]): string[] {
  return outcomes.map((o) => (o.type === 'report' ? o.candidate.name : o.type));
}

describe('recorded payloads of Claude Code 2.1.329', () => {
  it.each(CLAUDE_SCENARIOS)('%s: every payload fits its schema', (name) => {
    for (const { event, payload } of claudeScenario(name)) {
      const result = parseHookPayload(payload);
      expect(result.ok, `${name} ${event}`).toBe(true);
      if (result.ok)
        expect(result.value).toMatchObject({ agent: 'claude', event: { hook_event_name: event } });
    }
  });

  it('a plain turn: working on UserPromptSubmit, awaiting_input on Stop', () => {
    const outcomes = play(
      claudeScenario('plain').map((e) => e.payload),
      'awaiting_input',
    );
    expect(summary(outcomes)).toEqual(['working', 'awaiting_input']);
    const [submit, stop] = outcomes;
    expect(submit).toMatchObject({
      candidate: {
        reason: 'Claude Code hook UserPromptSubmit: a prompt was submitted',
        evidence: ['UserPromptSubmit', 'fake:plain Say hello.'],
      },
    });
    expect(stop).toMatchObject({
      candidate: {
        reason: 'Claude Code hook Stop: the turn finished',
        evidence: ['Stop', 'Hello from the fake model. This is a short plain answer.'],
      },
    });
  });

  it('an approval: working, awaiting_approval with the command from tool_input, then working and idle', () => {
    const events = claudeScenario('approval-accept');
    expect(events.map((e) => e.event)).toEqual([
      'UserPromptSubmit',
      'PreToolUse',
      'PermissionRequest',
      'Notification',
      'PostToolUse',
      'Stop',
    ]);
    const outcomes = play(
      events.map((e) => e.payload),
      'awaiting_input',
    );
    // The late permission notification adds nothing to the prompt PermissionRequest already reported.
    expect(summary(outcomes)).toEqual([
      'working',
      'working',
      'awaiting_approval',
      'progress',
      'working',
      'awaiting_input',
    ]);
    expect(outcomes[2]).toMatchObject({
      type: 'report',
      candidate: {
        name: 'awaiting_approval',
        reason: 'Claude Code hook PermissionRequest: Bash needs permission',
        evidence: ['PermissionRequest', 'touch approved.txt'],
        approval: {
          kind: 'command',
          source: 'hook',
          command: 'touch approved.txt',
          reason: 'Create the file you asked for.',
          options,
        },
      },
    });
  });

  it('a denied approval: no event follows the prompt (the screen says what comes next)', () => {
    const outcomes = play(
      claudeScenario('approval-deny').map((e) => e.payload),
      'awaiting_input',
    );
    expect(summary(outcomes)).toEqual(['working', 'working', 'awaiting_approval']);
  });

  it('startup, the idle notification after 60 s, and the session end', () => {
    expect(summary(play(claudeScenario('startup').map((e) => e.payload)))).toEqual(['awaiting_input']);
    const idle = claudeScenario('idle');
    expect(idle.map((e) => e.event)).toEqual(['UserPromptSubmit', 'Stop', 'Notification']);
    expect(idle[2]?.payload.notification_type).toBe('idle_prompt');
    expect(idle[2]?.afterMs).toBeGreaterThanOrEqual(60_000);
    expect(
      summary(
        play(
          idle.map((e) => e.payload),
          'awaiting_input',
        ),
      ),
    ).toEqual(['working', 'awaiting_input', 'awaiting_input']);
    // The pty reports the exit, with its code.
    expect(
      summary(
        play(
          claudeScenario('exit').map((e) => e.payload),
          'awaiting_input',
        ),
      ),
    ).toEqual(['ignore']);
  });
});

describe('Claude Code events beyond the recordings', () => {
  const base = { session_id: 's', cwd: '/w', permission_mode: 'default' };
  const tool = (event: string, name: string, input: Record<string, unknown>): Record<string, unknown> => ({
    ...base,
    hook_event_name: event,
    tool_name: name,
    tool_input: input,
  });

  it('a tool that finishes while another waits for permission does not end that prompt', () => {
    const outcomes = play(
      [
        tool('PermissionRequest', 'Bash', { command: 'rm -rf build' }),
        tool('PreToolUse', 'Read', { file_path: '/w/a.ts' }),
        tool('PostToolUse', 'Read', { file_path: '/w/a.ts' }),
        tool('PostToolUse', 'Bash', { command: 'rm -rf build' }),
      ],
      'working',
    );
    expect(summary(outcomes)).toEqual(['awaiting_approval', 'progress', 'progress', 'working']);
  });

  it('edits ask with kind edit and the file; other tools with kind other', () => {
    expect(approvalFromTool('Write', { file_path: '/w/x.ts', content: 'x' }, [])).toEqual({
      kind: 'edit',
      source: 'hook',
      reason: 'Write /w/x.ts',
      options: [],
    });
    expect(approvalFromTool('WebFetch', { url: 'https://example.com' }, options)).toMatchObject({
      kind: 'other',
      reason: 'WebFetch wants to run',
    });
  });

  it('a permission notification without a PermissionRequest still reports the prompt', () => {
    const [outcome] = play(
      [{ ...base, hook_event_name: 'Notification', message: 'Claude needs your permission to use Bash' }],
      'working',
    );
    expect(outcome).toMatchObject({
      type: 'report',
      candidate: { name: 'awaiting_approval', approval: { kind: 'other', source: 'hook', options } },
    });
  });

  it('a compaction restarts the session mid-turn: progress, not idle; unknown events are ignored', () => {
    expect(
      summary(play([{ ...base, hook_event_name: 'SessionStart', source: 'compact' }], 'working')),
    ).toEqual(['progress']);
    expect(summary(play([{ ...base, hook_event_name: 'SubagentStop', stop_hook_active: false }]))).toEqual([
      'ignore',
    ]);
    expect(
      summary(
        play([{ ...base, hook_event_name: 'Notification', message: 'x', notification_type: 'auth_success' }]),
      ),
    ).toEqual(['ignore']);
  });

  it('names the field that does not fit', () => {
    const result = parseHookPayload({ ...tool('PermissionRequest', 'Bash', {}), tool_input: 'rm -rf /' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)[0]).toMatch(/^tool_input: /);
    const missing = parseHookPayload({ ...base, hook_event_name: 'Stop' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(formatIssues(missing.issues)[0]).toMatch(/^stop_hook_active: /);
    const neither = parseHookPayload({ hello: 1 });
    expect(neither.ok).toBe(false);
    if (!neither.ok) expect(formatIssues(neither.issues)[0]).toMatch(/neither a Claude Code hook input/);
  });
});

describe('recorded notify payloads of Codex 0.169.0', () => {
  it.each(CODEX_SCENARIOS)(
    '%s: every payload fits, passed as the last argument after the configured ones',
    (name) => {
      for (const { argv, payload } of codexScenario(name).notifications) {
        expect(argv).toEqual(['hook']);
        expect(parseHookPayload(payload)).toMatchObject({ ok: true, value: { agent: 'codex' } });
      }
    },
  );

  it('the hidden title turn completes mid-turn and is ignored; the real turn is awaiting_input', () => {
    const { daemon, notifications } = codexScenario('slow-first-turn');
    // notify in config.toml leaves the app-server daemon on (a -c override would turn it off).
    expect(daemon).toBe(true);
    const [title, turn] = notifications;
    expect(title && turn && title.afterMs < turn.afterMs).toBe(true);
    expect(isTitleTurn(title?.payload as CodexNotifyPayload)).toBe(true);
    expect(isTitleTurn(turn?.payload as CodexNotifyPayload)).toBe(false);
    expect(
      summary(
        play(
          notifications.map((n) => n.payload),
          'working',
        ),
      ),
    ).toEqual(['ignore', 'awaiting_input']);
    expect(play([turn?.payload], 'working')[0]).toMatchObject({
      candidate: {
        reason: 'Codex notify agent-turn-complete: the turn finished',
        evidence: ['agent-turn-complete', expect.stringMatching(/Finished the slow answer\.$/)],
      },
    });
  });

  it('an approved command turn ends with one notification', () => {
    const { notifications } = codexScenario('approval-accept');
    expect(
      summary(
        play(
          notifications.map((n) => n.payload),
          'working',
        ),
      ),
    ).toEqual(['awaiting_input']);
  });

  it('other notify types are ignored; a turn-complete without its ids is refused, naming the field', () => {
    expect(summary(play([{ type: 'approval-requested', 'thread-id': 't' }]))).toEqual(['ignore']);
    const result = parseHookPayload({ type: 'agent-turn-complete', 'turn-id': 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)[0]).toMatch(/^\["thread-id"\]: /);
  });
});
