import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  askAgent,
  chromeFromRules,
  extractAnswer,
  type AskResult,
} from '../../../extension/core/decisions/askAgent';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { nodePtyHost } from '../../../extension/core/panes/ptyHost';
import { SupervisedPane, type RuntimeProfile } from '../../../extension/core/panes/supervisedPane';

// A scripted agent (a real process under a real pty) that behaves like the TUIs: it echoes what is typed after
// its prompt, shows a working line while it "thinks", erases it, then prints its answer and the prompt again.
const script = `
const out = (s) => process.stdout.write(s);
out('ready> ');
process.stdin.setRawMode(true);
let buf = '';
let asked = 0;
const working = () => out('Working (esc to interrupt)');
const answer = (text, ms = 400) => setTimeout(() => out('\\r\\x1b[2K' + text + '\\r\\nready> '), ms);
process.stdin.on('data', (d) => {
  for (const ch of d.toString()) {
    if (ch !== '\\r') { buf += ch; out(ch); continue; }
    const line = buf.trim(); buf = '';
    out('\\r\\n');
    working();
    if (line.startsWith('what is 2+2')) {
      asked++;
      answer('\\u2022 The answer is 4 (asked ' + asked + ' times).\\r\\n  Second line of the answer.\\r\\n');
    } else if (line.startsWith('never')) {
      // works forever
    } else if (line.startsWith('risky')) {
      setTimeout(() => out('\\r\\x1b[2KDo you want to proceed?\\r\\n 1. Yes\\r\\n 2. No (esc)\\r\\n'), 300);
    } else if (line.startsWith('crash')) {
      setTimeout(() => process.exit(3), 300);
    } else {
      answer('You said: ' + line);
    }
  }
});
`;

const profile: RuntimeProfile = {
  kind: 'scripted',
  pacing: { submitDelayMs: 20 },
  timing: { idleDebounceMs: 150, liveRows: 4 },
  rules: [
    {
      id: 'approval',
      state: 'awaiting_approval',
      source: 'live',
      re: /Do you want to proceed\?/,
      priority: 90,
      approval: { kind: 'command' },
    },
    { id: 'working', state: 'working', source: 'live', re: /esc to interrupt/, priority: 50 },
    { id: 'prompt', state: 'awaiting_input', source: 'live', re: /^ready>\s*$/, priority: 10 },
  ],
};

const dirs: string[] = [];
const panes: SupervisedPane[] = [];
afterEach(async () => {
  for (const p of panes.splice(0)) await p.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(): SupervisedPane {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-ask-'));
  dirs.push(dir);
  const file = path.join(dir, 'agent.cjs');
  writeFileSync(file, script);
  const sp = new SupervisedPane({
    id: 'ask1',
    command: process.execPath,
    args: [file],
    cwd: dir,
    cols: 80,
    rows: 12,
    profile,
    ptyHost: nodePtyHost(),
    log: createMemoryLog(),
    stallTimeoutMs: 60_000,
  });
  panes.push(sp);
  return sp;
}

const chrome = chromeFromRules(profile.rules);

function answer(result: AskResult): string {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value.answer;
}

describe('askAgent with a scripted agent under a real pty', () => {
  it('types the question once the agent listens and returns only the answer', async () => {
    const sp = start();
    const result = await askAgent(sp, 'what is 2+2?', { chrome, timeoutMs: 20_000 });
    expect(answer(result)).toBe('The answer is 4 (asked 1 times).\nSecond line of the answer.');
    if (result.ok) {
      expect(result.value.raw).toContain('• The answer is 4 (asked 1 times).');
      expect(result.value.latencyMs).toBeGreaterThan(0);
    }
    expect(sp.state.name).toBe('awaiting_input');
  });

  it('the same question twice: the second answer, not the first; many answers later the screen scrolled', async () => {
    const sp = start();
    expect(answer(await askAgent(sp, 'what is 2+2?', { chrome, timeoutMs: 20_000 }))).toContain(
      'asked 1 times',
    );
    for (let i = 0; i < 4; i++) {
      expect(answer(await askAgent(sp, `echo number ${i}`, { chrome, timeoutMs: 20_000 }))).toBe(
        `You said: echo number ${i}`,
      );
    }
    expect(answer(await askAgent(sp, 'what is 2+2?', { chrome, timeoutMs: 20_000 }))).toBe(
      'The answer is 4 (asked 2 times).\nSecond line of the answer.',
    );
  });

  it('an agent that never finishes: E_ASK_TIMEOUT', async () => {
    const sp = start();
    const result = await askAgent(sp, 'never answer this', { chrome, timeoutMs: 2500 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'E_ASK_TIMEOUT', details: { state: 'working' } },
    });
  });

  it('an agent that asks for an approval instead: E_ASK_FAILED at once', async () => {
    const sp = start();
    const started = Date.now();
    const result = await askAgent(sp, 'risky thing', { chrome, timeoutMs: 30_000 });
    expect(result).toMatchObject({ ok: false, error: { code: 'E_ASK_FAILED' } });
    if (!result.ok) expect(result.error.message).toContain('approval');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('an agent that exits while answering: E_ASK_FAILED', async () => {
    const sp = start();
    const result = await askAgent(sp, 'crash now', { chrome, timeoutMs: 20_000 });
    expect(result).toMatchObject({ ok: false, error: { code: 'E_ASK_FAILED' } });
    if (!result.ok) expect(result.error.message).toContain('exited');
  });
});

describe('extractAnswer on screens recorded from the real CLIs', () => {
  // The files in test/fixtures/screens: a title line, ---, then the screen rows.
  const below = (agent: string, file: string): string[] => {
    const text = readFileSync(path.resolve('test/fixtures/screens', agent, file), 'utf8');
    const lines = text.slice(text.indexOf('\n---\n') + 5).split('\n');
    const at = lines.findIndex((l) => l.includes('fake:plain Say hello'));
    expect(at).toBeGreaterThan(0);
    return lines.slice(at + 1);
  };
  it.each(['codex', 'claude', 'gemini'])(
    '%s: the answer without the prompt, status lines and bullet',
    (agent) => {
      expect(extractAnswer(below(agent, 'plain.txt'))).toBe(
        'Hello from the fake model. This is a short plain answer.',
      );
    },
  );
});
