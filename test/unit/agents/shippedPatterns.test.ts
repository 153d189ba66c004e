import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRules, loadProfiles, selectPatternSet } from '../../../extension/core/agents/profiles';
import type { AgentProfile } from '../../../extension/core/schemas/agentProfile';
import { repoRoot } from '../helpers';

/**
 * The shipped patterns against screens. Codex screens are excerpts of real captures of codex-cli 0.169.0
 * against the fake model (test/fixtures/screens/codex); the others follow FIELD-NOTES.md. The classifier below
 * reads rules the way the pane state tracker does: each rule tests each line of its source, the highest
 * priority wins and the first rule at equal priority; "live" is the bottom 14 rows ending at the last
 * non-empty one.
 */

const LIVE_ROWS = 14;
const HEIGHT = 40;

let profiles: Map<string, AgentProfile>;
beforeAll(async () => {
  const loaded = await loadProfiles({ builtinDir: path.join(repoRoot, 'agents-config') });
  expect(loaded.problems).toEqual([]);
  profiles = loaded.profiles;
});

interface Screen {
  lines: string[];
  title: string;
}

/** A full-height screen: `top` rows, blank rows, then `bottom` rows (like a TUI with its composer at the bottom). */
function screen(top: string[], bottom: string[] = [], title = ''): Screen {
  const blank = Math.max(0, HEIGHT - top.length - bottom.length);
  return { lines: [...top, ...Array<string>(blank).fill(''), ...bottom], title };
}

/** An inline TUI or a shell: rows from the top, the rest of the screen empty. */
function inline(rows: string[], title = ''): Screen {
  return { lines: [...rows, ...Array<string>(Math.max(0, HEIGHT - rows.length)).fill('')], title };
}

interface Verdict {
  state: string;
  rule: string;
  error?: { class: string; retrying: boolean };
  kind?: string;
  command?: string;
}

function classify(kind: string, s: Screen, version?: string): Verdict | undefined {
  const profile = profiles.get(kind);
  if (!profile) throw new Error(`no ${kind} profile`);
  const rules = compileRules(selectPatternSet(profile, version));
  let last = s.lines.length - 1;
  while (last > 0 && (s.lines[last] ?? '').trim() === '') last--;
  const live = s.lines.slice(Math.max(0, last - LIVE_ROWS + 1), last + 1);
  let best: (typeof rules)[number] | undefined;
  for (const rule of rules) {
    if (best && rule.priority <= best.priority) continue;
    const lines = rule.source === 'title' ? [s.title] : rule.source === 'live' ? live : s.lines;
    if (lines.some((line) => rule.re.test(line))) best = rule;
  }
  if (!best) return undefined;
  const verdict: Verdict = { state: best.state, rule: best.id };
  if (best.error) verdict.error = best.error;
  if (best.approval) {
    verdict.kind = best.approval.kind;
    const commandRe = best.approval.commandRe;
    const command = commandRe ? live.map((l) => commandRe.exec(l)?.[1]).find(Boolean) : undefined;
    if (command) verdict.command = command;
  }
  return verdict;
}

const codexHeader = ['', '  >_ OpenAI Codex (v0.169.0)', '     /w/fleet-ws', '', ''];
const codexFooter = [
  '› Ask Codex to do anything',
  '',
  '  gpt-5.1-codex default · /w/fleet-ws · Fake session',
  '  ⇐ for agents · ? for shortcuts                                   ⚠ 2 warnings · f2 to view',
];

describe('codex patterns on captured codex-cli 0.169.0 screens', () => {
  it('startup: the empty composer is awaiting input', () => {
    expect(classify('codex', screen(codexHeader, codexFooter, 'fleet-ws'))).toMatchObject({
      state: 'awaiting_input',
      rule: 'prompt',
    });
  });

  it('working: the status line, although the composer is visible too', () => {
    const s = screen(
      [...codexHeader, '› fake:slow Write a slow answer.'],
      ['• Working (3s • esc to interrupt)', '', '', ...codexFooter],
      'Fake session | fleet-ws',
    );
    expect(classify('codex', s)).toMatchObject({ state: 'working', rule: 'working-status' });
  });

  it('streaming: no status line, but the braille spinner in the title', () => {
    const s = screen(
      [...codexHeader, '› fake:slow Write a slow answer.', '', '', '• word1 word2 word3 word4 word5'],
      codexFooter,
      '\u2807 Fake session | fleet-ws',
    );
    expect(classify('codex', s)).toMatchObject({ state: 'working', rule: 'working-title' });
  });

  it('finished: "Worked for" high up, out of the live rows, and a calm title', () => {
    const s = screen(
      [
        ...codexHeader,
        '› fake:plain Say hello.',
        '',
        '',
        '• Hello from the fake model.',
        '',
        '  Worked for <1s • 05:39',
      ],
      codexFooter,
      'Fake session | fleet-ws',
    );
    expect(classify('codex', s)).toMatchObject({ state: 'awaiting_input', rule: 'turn-finished' });
  });

  it('approval: the command, its kind, from the question and the title', () => {
    const s = screen(
      [
        ...codexHeader,
        '› fake:approval Create the file approved.txt.',
        '',
        '',
        '• Running touch approved.txt',
      ],
      [
        '  Would you like to run the following command?',
        '',
        '  Environment: local',
        '',
        '  Reason: Create the file you asked for.',
        '',
        '  $ touch approved.txt',
        '',
        '',
        '› 1. Yes, proceed (y)',
        "  2. Yes, and don't ask again for commands that start with `touch approved.txt` (p)",
        '  3. No, and tell Codex what to do differently (esc)',
        '',
        '  Press enter to confirm or esc to cancel',
      ],
      '[ . ] Action Required | Fake session | fleet-ws',
    );
    expect(classify('codex', s)).toEqual({
      state: 'awaiting_approval',
      rule: 'approval-command',
      kind: 'command',
      command: 'touch approved.txt',
    });
    // The "approve for the session" key is sent only when its option is on screen.
    const option = new RegExp(profiles.get('codex')?.approval?.approveForSessionOption ?? '(?!)');
    expect(s.lines.some((l) => option.test(l))).toBe(true);
    expect(option.test('  2. Yes, and allow these permissions for this session')).toBe(false);
    // The title alone still says an approval is pending.
    expect(classify('codex', screen(codexHeader, codexFooter, '[ ! ] Action Required | ws'))).toMatchObject({
      state: 'awaiting_approval',
      rule: 'approval-title',
    });
  });

  it.each([
    ['■ exceeded retry limit, last status: 429 Too Many Requests', 'rate_limit'],
    ['■ We\u2019re currently experiencing high demand, which may cause temporary errors.', 'server'],
    ['■ unexpected status 401 Unauthorized: Missing bearer authentication', 'auth'],
    ['■ stream disconnected before completion: idle timeout waiting for SSE', 'network'],
    ['■ something nobody has seen before', 'unknown'],
  ])('final failure %j is a %s error, though far above the live rows', (line, errorClass) => {
    const s = screen(
      [...codexHeader, '› fake:http The server fails.', '', '', line],
      codexFooter,
      'Fake session | ws',
    );
    expect(classify('codex', s)).toMatchObject({
      state: 'error',
      error: { class: errorClass, retrying: false },
    });
  });

  it('an interrupted turn is awaiting input, not an error', () => {
    const s = screen(
      [...codexHeader, '› do it', '', '■ Conversation interrupted - tell the model what to do differently.'],
      codexFooter,
    );
    expect(classify('codex', s)).toMatchObject({ state: 'awaiting_input', rule: 'interrupted' });
  });

  it('reconnecting: a network error Codex retries by itself, above the working hint on the same line', () => {
    const s = screen(
      [...codexHeader, '› fake:stall This answer never ends.'],
      [
        '• Reconnecting... 1/2 (23s • esc to interrupt)',
        '  └ Stream disconnected before completion: idle timeout waiting for SSE',
        '',
        '',
        ...codexFooter,
      ],
      '\u280b Fake session | fleet-ws',
    );
    expect(classify('codex', s)).toMatchObject({
      state: 'error',
      error: { class: 'network', retrying: true },
    });
  });
});

describe('claude patterns on captured Claude Code 2.1.329 screens', () => {
  const header = [
    '',
    ' ▐▛███▛█   Claude Code v2.1.329',
    '▝▜██████▀  Opus 5.5 · API Usage Billing',
    ' ▝▝   ▝▝   /w/fleet-ws',
    '',
    '',
  ];
  const rule = '─'.repeat(100);
  const composer = (placeholder = '❯', footer = '  ⏸ manual mode on · ? for shortcuts'): string[] => [
    rule,
    placeholder,
    rule,
    footer,
  ];
  const busy = composer('❯', '  ⏸ manual mode on · esc to interrupt');

  it.each<[string, Screen, Partial<Verdict>]>([
    [
      'startup',
      screen(header, composer(), '✳ Claude Code'),
      { state: 'awaiting_input', rule: 'ready-title' },
    ],
    [
      'thinking, before any text',
      screen([...header, '❯ fake:slow Write a slow answer.'], ['✶ Sautéing…', '', ...busy], '◑ Fake session'),
      { state: 'working' },
    ],
    [
      'streaming',
      screen(
        [...header, '❯ fake:slow Write a slow answer.', '', '● word1 word2 word3'],
        ['✻ Sautéing… (13s · ↓ 35 tokens)', '', ...busy],
        '◑ Fake session',
      ),
      { state: 'working' },
    ],
    [
      'done',
      screen(
        [
          ...header,
          '❯ fake:plain Say hello.',
          '',
          '● Hello from the fake model.',
          '',
          '✻ Sautéed for 0s · done 5:43 AM',
        ],
        composer(),
        '✳ Fake session',
      ),
      { state: 'awaiting_input' },
    ],
    [
      'approval for a command',
      screen(
        [...header, '❯ fake:approval Create the file approved.txt.', '', '● I will run the command.'],
        [
          '  Creating the file you asked for.',
          '  ⎿  $ touch approved.txt',
          '',
          rule,
          ' Bash command',
          ' Tip: auto mode handles these prompts for you — choose "switch to auto mode" below',
          ' Create the file you asked for.',
          '╌'.repeat(100),
          ' touch approved.txt',
          '╌'.repeat(100),
          ' Do you want to proceed?',
          ' ❯ 1. Yes',
          '   2. Yes, and always allow access to /w/fleet-ws from this project',
          '   3. Yes, and switch to auto mode · auto mode handles these prompts for you',
          '   4. No',
          '',
          ' Esc to cancel · Tab to amend',
        ],
        '✳ Fake session',
      ),
      { state: 'awaiting_approval', rule: 'approval-bash', kind: 'command' },
    ],
    [
      'an API error being retried',
      screen(
        [...header, '❯ fake:http500 The server fails.'],
        ['✻ API error · retrying in 1s · attempt 1/2', '', ...busy],
        '◐ Fake session',
      ),
      { state: 'error', error: { class: 'unknown', retrying: true } },
    ],
    [
      'a stalled stream',
      screen(
        [...header, '❯ fake:stall This answer never ends.'],
        ['✻ Waiting for API response · will retry in 47s · check your network', '', ...busy],
        '◑ Fake session',
      ),
      { state: 'error', error: { class: 'network', retrying: true } },
    ],
    [
      'a final rate limit, far above the live rows',
      screen(
        [
          ...header,
          '❯ fake:http429 The server is rate limited.',
          '',
          '● API Error: Request rejected (429) · Rate limited (fake)',
        ],
        composer('❯ Resend your message to try again'),
        '✳ Fake session',
      ),
      { state: 'error', error: { class: 'rate_limit', retrying: false } },
    ],
    [
      'a final server error',
      screen(
        [
          ...header,
          '❯ fake:http500 The server fails.',
          '',
          '● API Error: 500 Internal server error (fake). This is a server-side issue',
        ],
        composer('❯ Resend your message to try again'),
        '✳ Fake session',
      ),
      { state: 'error', error: { class: 'server', retrying: false } },
    ],
    [
      'a failed turn whose message is not on screen',
      screen(header, composer('❯ Resend your message to try again'), '✳ Fake session'),
      { state: 'error', rule: 'error-resend', error: { class: 'unknown', retrying: false } },
    ],
    [
      'a bad key',
      screen(
        [...header, '❯ go', '', '● API Error: 401 Invalid API key · Please run /login'],
        composer(),
        '✳ Fake session',
      ),
      { state: 'error', error: { class: 'auth', retrying: false } },
    ],
  ])('%s', (_name, s, expected) => {
    expect(classify('claude', s)).toMatchObject(expected);
  });

  it('sends "approve for the session" only when that option is offered', () => {
    const option = new RegExp(profiles.get('claude')?.approval?.approveForSessionOption ?? '(?!)');
    expect(option.test('   2. Yes, and always allow access to /w/fleet-ws from this project')).toBe(true);
    expect(option.test("   2. Yes, and don't ask again for npm test commands in /w/fleet-ws")).toBe(true);
    expect(option.test('   2. No')).toBe(false);
  });
});

describe('gemini patterns (FIELD-NOTES.md, Gemini CLI 0.61.0 source)', () => {
  it.each<[string, Screen, Partial<Verdict>]>([
    [
      'ready',
      inline(['', '>   Type your message or @path/to/file'], '◇  Ready (ws)'),
      { state: 'awaiting_input' },
    ],
    [
      'thinking',
      inline(
        ['> hi', '⠏ Thinking... (esc to cancel, 5s)', '>   Type your message or @path/to/file'],
        '✦  Working… (ws)',
      ),
      { state: 'working' },
    ],
    [
      'approval',
      inline(
        [
          '╭────────╮',
          '│ ls -la │',
          '╰────────╯',
          'Allow execution of [Shell]?',
          '● 1. Allow once',
          '  2. Allow for this session',
          '  3. No, suggest changes (esc)',
        ],
        '✋  Action Required (ws)',
      ),
      { state: 'awaiting_approval', kind: 'command' },
    ],
    [
      'approval by title only',
      inline(['something the patterns do not know'], '✋  Action Required (ws)'),
      { state: 'awaiting_approval', rule: 'approval-title' },
    ],
    [
      'quota',
      inline(
        ['✕ [API Error: You exceeded your current quota (Status: RESOURCE_EXHAUSTED)]'],
        '◇  Ready (ws)',
      ),
      { state: 'error', error: { class: 'rate_limit', retrying: false } },
    ],
  ])('%s', (_name, s, expected) => {
    expect(classify('gemini', s)).toMatchObject(expected);
  });
});

describe('aider patterns', () => {
  it.each<[string, string[], Partial<Verdict>]>([
    ['idle', ['Aider v0.86.1', 'Main model: sonnet', '', '>'], { state: 'awaiting_input' }],
    ['architect mode idle', ['architect>'], { state: 'awaiting_input' }],
    [
      'shell command',
      ['pytest -q', "Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]:"],
      { state: 'awaiting_approval', kind: 'command' },
    ],
    [
      'rate limited, retrying',
      ['litellm.RateLimitError: AnthropicException - rate limit', 'Retrying in 0.5 seconds...'],
      { state: 'error', error: { class: 'rate_limit', retrying: true } },
    ],
    [
      'bad key',
      ['litellm.AuthenticationError: invalid x-api-key', '>'],
      { state: 'error', error: { class: 'auth', retrying: false } },
    ],
  ])('%s', (_name, rows, expected) => {
    expect(classify('aider', inline(rows))).toMatchObject(expected);
  });

  it('has no "approve for the session" key: (D)on\'t ask again answers no', () => {
    expect(profiles.get('aider')?.approval?.approveForSession).toBeUndefined();
  });
});

describe('shell patterns', () => {
  it.each<[string, string[], string]>([
    ['bash prompt', ['me@box:~/ws$'], 'awaiting_input'],
    ['root prompt', ['root@box:/#'], 'awaiting_input'],
    ['zsh prompt', ['box% '.trimEnd()], 'awaiting_input'],
    ['a command running', ['me@box:~/ws$ make test', 'cc -o main main.c'], 'working'],
  ])('%s', (_name, rows, state) => {
    expect(classify('shell', inline(rows))?.state).toBe(state);
  });

  it('an empty screen says nothing', () => {
    expect(classify('shell', inline([]))).toBeUndefined();
  });
});
