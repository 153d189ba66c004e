import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { Emitter } from '../../../extension/core/panes/events';
import { createPane, type Pane, type PaneOptions } from '../../../extension/core/panes/pane';
import {
  nodePtyHost,
  type PtyExit,
  type PtyHost,
  type PtyProcess,
} from '../../../extension/core/panes/ptyHost';
import { caught, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const panes: Pane[] = [];
afterEach(async () => {
  await Promise.all(panes.splice(0).map((p) => p.dispose()));
});

/** The real node-pty host, with every write to the process recorded. */
function recordingHost(): { host: PtyHost; writes: string[] } {
  const writes: string[] = [];
  const real = nodePtyHost();
  return {
    writes,
    host: {
      spawn(file, args, options) {
        const child = real.spawn(file, args, options);
        return {
          get pid() {
            return child.pid;
          },
          write: (data) => {
            writes.push(data);
            child.write(data);
          },
          resize: (c, r) => child.resize(c, r),
          kill: (s) => child.kill(s),
          onData: (l) => child.onData(l),
          onExit: (l) => child.onExit(l),
        };
      },
    },
  };
}

/** A process that is not there: the test plays its output and its exit. */
function scriptedHost(): {
  host: PtyHost;
  writes: string[];
  output: (data: string) => void;
  exit: (e: PtyExit) => void;
} {
  const writes: string[] = [];
  const data = new Emitter<string>();
  const exit = new Emitter<PtyExit>();
  const child: PtyProcess = {
    pid: 4242,
    write: (d) => void writes.push(d),
    resize: () => undefined,
    kill: () => undefined,
    onData: data.event,
    onExit: exit.event,
  };
  return { host: { spawn: () => child }, writes, output: (d) => data.fire(d), exit: (e) => exit.fire(e) };
}

function start(options: Partial<PaneOptions> & Pick<PaneOptions, 'command'>): Pane {
  const pane = createPane({
    id: 'pane-1',
    agent: 'shell',
    cwd: tempDir(),
    cols: 60,
    rows: 10,
    pacing: { submitDelayMs: 0 },
    ptyHost: nodePtyHost(),
    log: createMemoryLog(),
    ...options,
  });
  panes.push(pane);
  return pane;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const screenText = (pane: Pane) => pane.snapshot().lines.join('\n');

describe('Pane on a real pseudo-terminal', () => {
  it('shows the output and title on the screen, reports exit 0, logs, and keeps the raw bytes', async () => {
    const dir = tempDir();
    const log = createMemoryLog();
    const pane = start({
      id: 'codex-1',
      agent: 'codex',
      branch: 'feat/x',
      command: '/bin/sh',
      args: ['-c', 'printf "\\033]0;my title\\007hello\\n"; sleep 0.2'],
      transcriptDir: dir,
      log,
    });
    const received: string[] = [];
    pane.onData((d) => received.push(d));
    const exits: PtyExit[] = [];
    pane.onExit((e) => exits.push(e));
    expect(pane.pid).toBeGreaterThan(0);
    expect(pane.exitCode).toBeUndefined();

    const exit = await pane.whenExited();
    expect(exit.exitCode).toBe(0);
    expect(pane.exitCode).toBe(0);
    expect(exits).toEqual([{ exitCode: 0 }]);
    // The exit event comes after the last bytes are parsed, so the screen is already final.
    const snapshot = pane.snapshot();
    expect(snapshot.lines).toContain('hello');
    expect(snapshot.title).toBe('my title');
    expect(received.join('')).toBe('\u001b]0;my title\u0007hello\r\n');

    await pane.dispose();
    expect(readFileSync(path.join(dir, 'codex-1.log'), 'utf8')).toBe('\u001b]0;my title\u0007hello\r\n');
    expect(log.lines.map((l) => [l.category, l.event])).toEqual([
      ['pane', 'pane.started'],
      ['pane', 'pane.exited'],
    ]);
    expect(log.lines[0]?.context).toMatchObject({
      pane: 'codex-1',
      agent: 'codex',
      branch: 'feat/x',
      pid: pane.pid,
      command: '/bin/sh',
    });
    expect(log.lines[1]?.context).toMatchObject({ pane: 'codex-1', exitCode: 0 });
  });

  it('reports a non-zero exit code', async () => {
    const pane = start({ command: '/bin/sh', args: ['-c', 'exit 3'] });
    await expect(pane.whenExited()).resolves.toEqual({ exitCode: 3 });
    expect(pane.exitCode).toBe(3);
  });

  it('resize changes both the screen and the terminal the program sees', async () => {
    const pane = start({ command: '/bin/sh', args: ['-c', 'stty size; read line; stty size; sleep 5'] });
    await waitFor('the first size', () => screenText(pane).includes('10 60'));
    pane.resize(50, 12);
    expect(pane.screen.cols).toBe(50);
    expect(pane.snapshot().lines).toHaveLength(12);
    pane.write('\r');
    await waitFor('the new size', () => screenText(pane).includes('12 50'));
  });

  it('types into cat, waits the submit delay, then presses Enter', async () => {
    const { host, writes } = recordingHost();
    const events: string[] = [];
    const pane = start({
      command: 'cat',
      ptyHost: host,
      pacing: { submitDelayMs: 5, charDelayMs: 2 },
      sleep: (ms) => {
        events.push(`sleep:${ms} after ${JSON.stringify(writes.join(''))}`);
        return new Promise((r) => setTimeout(r, ms));
      },
    });
    await expect(pane.send('abc', { submit: true })).resolves.toBe(true);
    expect(writes).toEqual(['a', 'b', 'c', '\r']);
    expect(events).toEqual(['sleep:2 after "a"', 'sleep:2 after "ab"', 'sleep:5 after "abc"']);
    // The tty echoes "abc", then cat prints the line it read after Enter.
    await waitFor(
      'cat echoing the line',
      () => pane.snapshot().lines.filter((l) => l === 'abc').length === 2,
    );
  });

  it('holds sent input while the agent is busy and types it after notifyReady', async () => {
    const { host, writes } = recordingHost();
    let ready = false;
    const pane = start({ command: 'cat', ptyHost: host, isReady: () => ready });
    const sent = pane.send('queued', { submit: true });
    pane.write('raw'); // a person's keystrokes are never held back
    await new Promise((r) => setTimeout(r, 50));
    expect(writes).toEqual(['raw']);
    expect(pane.pendingInput).toBe(1);
    ready = true;
    pane.notifyReady();
    await expect(sent).resolves.toBe(true);
    expect(writes).toEqual(['raw', 'queued', '\r']);
    expect(pane.pendingInput).toBe(0);
    await waitFor('cat printing the line', () => screenText(pane).includes('rawqueued'));
  });

  it('kill ends the process with an exit; later writes, sends and resizes are harmless', async () => {
    const pane = start({ command: '/bin/sh', args: ['-c', 'sleep 30'], isReady: () => false });
    const waiting = pane.send('never typed', { submit: true });
    let exitEvents = 0;
    pane.onExit(() => exitEvents++);
    pane.kill('SIGTERM');
    const exit = await pane.whenExited();
    expect(exit.signal).toBe(15);
    expect(pane.exited).toBe(true);
    expect(exitEvents).toBe(1);
    await expect(waiting).resolves.toBe(false);
    expect(() => pane.write('after exit')).not.toThrow();
    expect(() => pane.resize(30, 5)).not.toThrow();
    expect(() => pane.kill()).not.toThrow();
    await expect(pane.send('after exit', { submit: true })).resolves.toBe(false);
  });

  it('dispose kills a running process, still records its exit, and closes the transcript', async () => {
    const dir = tempDir();
    const log = createMemoryLog();
    const pane = start({ command: '/bin/sh', args: ['-c', 'echo up; sleep 30'], transcriptDir: dir, log });
    await waitFor('output', () => screenText(pane).includes('up'));
    await pane.dispose();
    await expect(pane.whenExited()).resolves.toMatchObject({ signal: 1 });
    expect(readFileSync(path.join(dir, 'pane-1.log'), 'utf8')).toBe('up\r\n');
    expect(log.lines.map((l) => l.event)).toContain('pane.exited');
  });
});

describe('Pane with a scripted process', () => {
  it('answers terminal queries only when answerQueries is on', async () => {
    const quiet = scriptedHost();
    const quietPane = start({ command: 'agent', ptyHost: quiet.host });
    quiet.output('\u001b[6n');
    await quietPane.whenParsed();
    expect(quiet.writes).toEqual([]);

    const answering = scriptedHost();
    const pane = start({ command: 'agent', ptyHost: answering.host, answerQueries: true });
    answering.output('hi\u001b[6n');
    await pane.whenParsed();
    expect(answering.writes).toEqual(['\u001b[1;3R']);
  });

  it('keeps feeding other subscribers when one throws, and logs it', async () => {
    const scripted = scriptedHost();
    const log = createMemoryLog();
    const pane = start({ command: 'agent', ptyHost: scripted.host, log });
    pane.onData(() => {
      throw new Error('broken view');
    });
    const received: string[] = [];
    pane.onData((d) => received.push(d));
    expect(() => scripted.output('x')).not.toThrow();
    expect(received).toEqual(['x']);
    expect(log.lines.find((l) => l.event === 'pane.listener.failed')?.context).toMatchObject({
      error: 'broken view',
    });
    scripted.exit({ exitCode: 0, signal: 0 });
    await expect(pane.whenExited()).resolves.toEqual({ exitCode: 0 });
  });

  it('fires exit only once the last output is on the screen', async () => {
    const scripted = scriptedHost();
    const pane = start({ command: 'agent', ptyHost: scripted.host });
    let atExit: string[] = [];
    pane.onExit(() => (atExit = pane.snapshot().lines));
    scripted.output('working\r\n'.repeat(50) + 'last words');
    scripted.exit({ exitCode: 2, signal: 0 });
    await pane.whenExited();
    expect(atExit.at(-1)).toBe('last words');
    expect(pane.exitCode).toBe(2);
  });

  it('throws the host spawn error and logs it', async () => {
    const log = createMemoryLog();
    const failing: PtyHost = {
      spawn: () => {
        throw new Error('no such file');
      },
    };
    const error = await caught(() => start({ command: 'missing', ptyHost: failing, log }));
    expect(error).toMatchObject({ message: 'no such file' });
    expect(log.lines.map((l) => l.event)).toEqual(['pane.spawn.failed']);
  });
});
