import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { nodePtyHost } from '../../../extension/core/panes/ptyHost';
import {
  SupervisedPane,
  keysForDecision,
  type RuntimeProfile,
} from '../../../extension/core/panes/supervisedPane';
import type { PaneStateEvent } from '../../../extension/core/panes/types';

// A scripted "agent" (a real process under a real pty): shows a prompt, then works, then asks for approval,
// then idles, like the TUIs do, so the whole pipeline pty -> xterm -> tracker -> events runs for real.
const script = `
const out = (s) => process.stdout.write(s);
out('ready> ');
process.stdin.setRawMode(true);
let buf = '';
process.stdin.on('data', (d) => {
  buf += d.toString();
  if (!buf.includes('\\r')) return;
  const line = buf.trim(); buf = '';
  out('\\r\\n');
  if (line === 'work') {
    out('Working (esc to interrupt)\\r\\n');
    setTimeout(() => out('Do you want to proceed?\\r\\n 1. Yes\\r\\n 2. No (esc)\\r\\n'), 300);
  } else if (line === 'y') { out('done\\r\\nready> '); }
  else if (line === 'quit') process.exit(4);
  else out('ready> ');
});
`;

const profile: RuntimeProfile = {
  kind: 'scripted',
  pacing: { submitDelayMs: 20 },
  // A line-oriented agent: only the last rows are live; answered prompts scroll up and stop counting.
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

function start(source = script): {
  sp: SupervisedPane;
  events: PaneStateEvent[];
  log: ReturnType<typeof createMemoryLog>;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-sp-'));
  dirs.push(dir);
  const file = path.join(dir, 'agent.cjs');
  writeFileSync(file, source);
  const log = createMemoryLog();
  const sp = new SupervisedPane({
    id: 'p1',
    command: process.execPath,
    args: [file],
    cwd: dir,
    cols: 80,
    rows: 20,
    profile,
    ptyHost: nodePtyHost(),
    log,
    stallTimeoutMs: 60_000,
  });
  panes.push(sp);
  lastScreen = () => `state ${sp.state.name}\n` + sp.pane.snapshot().lines.filter(Boolean).join('\n');
  const events: PaneStateEvent[] = [];
  sp.onState((e) => events.push(e));
  return { sp, events, log };
}

let lastScreen = (): string => '';
const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out; screen:\n${lastScreen()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

// Like Codex at its first start: the prompt (echoing what is typed) is shown, but the first Enter is swallowed
// while it still starts up.
const deafScript = `
const out = (s) => process.stdout.write(s);
out('ready> ');
process.stdin.setRawMode(true);
let buf = '';
let heard = false;
process.stdin.on('data', (d) => {
  const text = d.toString();
  out(text.replace(/\\r/g, ''));
  buf += text;
  if (!buf.includes('\\r')) return;
  if (!heard) { heard = true; buf = buf.replace('\\r', ''); return; }
  buf = '';
  out('\\r\\nWorking (esc to interrupt)\\r\\n');
  setTimeout(() => out('Do you want to proceed?\\r\\n 1. Yes\\r\\n 2. No (esc)\\r\\n'), 300);
});
`;

describe('SupervisedPane with a real process', () => {
  it('presses Enter again when the agent ignored it and the text still sits in its input', async () => {
    const { sp, events, log } = start(deafScript);
    await until(() => sp.state.name === 'awaiting_input');
    await sp.send('work');
    await until(() => sp.state.name === 'awaiting_approval', 10_000);
    expect(events.map((e) => e.to)).toContain('working');
    expect(log.lines.filter((l) => l.event === 'pane.input.resubmitted')).toHaveLength(1);
  });

  it('follows the agent through input, working, approval, idle and exit, and logs each change', async () => {
    const { sp, events, log } = start();
    await until(() => sp.state.name === 'awaiting_input');
    await sp.send('work');
    await until(() => sp.state.name === 'awaiting_approval');
    expect(events.map((e) => e.to)).toEqual(['awaiting_input', 'working', 'awaiting_approval']);
    expect(events[2]?.evidence).toEqual(['Do you want to proceed?']);
    await sp.send('y', { whenReady: false });
    await until(() => sp.state.name === 'awaiting_input' && events.length === 4);
    await sp.send('quit');
    await until(() => sp.state.name === 'exited');
    expect(sp.state.exitCode).toBe(4);
    expect(events.map((e) => e.to)).toEqual([
      'awaiting_input',
      'working',
      'awaiting_approval',
      'awaiting_input',
      'exited',
    ]);
    const logged = log.lines.filter((l) => l.event === 'pane.state');
    expect(logged).toHaveLength(5);
  });

  it('keeps typed input back while a hold is on (Codex before its daemon), then types it; a hold times out', async () => {
    const { sp, log } = start();
    await until(() => sp.state.name === 'awaiting_input');
    let release: () => void = () => undefined;
    sp.holdInput(new Promise<void>((r) => (release = r)), 60_000, 'test daemon');
    let delivered = false;
    const queued = sp.send('work').then((ok) => (delivered = ok));
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered).toBe(false);
    expect(sp.pane.snapshot().lines.join('\n')).not.toContain('work');
    release();
    await queued;
    expect(delivered).toBe(true);
    await until(() => sp.state.name === 'awaiting_approval');
    expect(
      log.lines
        .filter((l) => l.event === 'pane.input.released')
        .map((l) => (l.context as { how?: string } | undefined)?.how),
    ).toEqual(['ready']);
    // A source that never says "ready" keeps nothing back for longer than its limit.
    sp.holdInput(new Promise(() => undefined), 200, 'silent daemon');
    await until(
      () =>
        log.lines.some(
          (l) =>
            l.event === 'pane.input.released' &&
            (l.context as { how?: string } | undefined)?.how === 'timeout',
        ),
      2000,
    );
  });

  it('holds queued input while the agent is busy and types it once it waits again', async () => {
    const { sp } = start();
    await until(() => sp.state.name === 'awaiting_input');
    await sp.send('work');
    await until(() => sp.state.name === 'awaiting_approval');
    let delivered = false;
    const queued = sp.send('second').then((ok) => (delivered = ok));
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered).toBe(false);
    expect(sp.pane.snapshot().lines.join('\n')).not.toContain('second');
    await sp.send('y', { whenReady: false });
    await queued;
    expect(delivered).toBe(true);
  });
});

describe('keysForDecision', () => {
  const codex = {
    kind: 'command' as const,
    options: [
      { keys: 'y', label: 'Yes, proceed' },
      { keys: 'p', label: "Yes, and don't ask again for this command" },
      { keys: '\u001b', label: 'No, and tell Codex what to do differently' },
    ],
  };
  const claude = {
    kind: 'command' as const,
    options: [
      { keys: '1', label: 'Yes' },
      { keys: '2', label: "Yes, and don't ask again for touch commands" },
      { keys: '3', label: 'No' },
    ],
  };
  it('maps each decision to the option on screen', () => {
    expect(
      ['approve', 'approve_for_session', 'deny', 'cancel'].map((d) => keysForDecision(codex, d as never)),
    ).toEqual(['y', 'p', '\u001b', '\u001b']);
    expect(keysForDecision(claude, 'deny')).toBe('3');
    expect(keysForDecision(claude, 'approve_for_session')).toBe('2');
  });
  it('answers a prompt without options with the profile keys (Aider: y or n and Enter)', () => {
    const aider = { approve: 'y\r', deny: 'n\r' };
    expect(keysForDecision({ kind: 'other', options: [] }, 'approve', aider)).toBe('y\r');
    expect(keysForDecision({ kind: 'other', options: [] }, 'deny', aider)).toBe('n\r');
    expect(keysForDecision({ kind: 'other', options: [] }, 'approve_for_session', aider)).toBe('y\r');
  });
  it('answers a bare y/n question with y or n', () => {
    expect(keysForDecision({ kind: 'other', options: [] }, 'approve')).toBe('y');
    expect(keysForDecision({ kind: 'other', options: [] }, 'deny')).toBe('n');
  });
});
