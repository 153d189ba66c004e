import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../../extension/cli/program';
import type { ReplaySummary } from '../../../extension/core/audit/replay';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { useTempDirs } from '../helpers';
import { buildCli } from './builtCli';
import { at, logLine, morningLog, writeLog } from './logFixtures';

const tempDir = useTempDirs();

let savedExitCode: typeof process.exitCode;
beforeEach(() => {
  savedExitCode = process.exitCode;
});
afterEach(() => {
  process.exitCode = savedExitCode;
});

async function run(...args: string[]): Promise<{ out: string; err: string; error?: unknown }> {
  let out = '';
  let err = '';
  const program = createProgram({ out: (t) => (out += t), err: (t) => (err += t) });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

function workspaceWithMorningLog(): { workspace: string; file: string } {
  const workspace = tempDir();
  const file = workspacePaths(workspace).appLog;
  mkdirSync(path.dirname(file), { recursive: true });
  writeLog(file, morningLog().lines);
  return { workspace, file };
}

describe('fleet replay (in process)', () => {
  it('reads the workspace log by default and prints the summary', async () => {
    const { workspace, file } = workspaceWithMorningLog();
    const { out, err, error } = await run('replay', '-w', workspace);
    expect(error).toBeUndefined();
    expect(err).toBe('');
    expect(out.split('\n')[0]).toBe(`Log: ${file}`);
    expect(out).toContain('Malformed lines: 3 (line 4, 8, 13), skipped');
    expect(out).toContain('Largest queue depth: 3 (pane docs, branch feature/docs)');
    expect(process.exitCode).toBe(savedExitCode);
  });

  it('--log, --branch, --limit and --json', async () => {
    const { file } = workspaceWithMorningLog();
    const { out, error } = await run(
      'replay',
      '--log',
      file,
      '--branch',
      'feature/api',
      '--limit',
      '3',
      '--json',
    );
    expect(error).toBeUndefined();
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    const summary = JSON.parse(out) as ReplaySummary;
    expect(summary).toMatchObject({ file, branch: 'feature/api', limit: 3, considered: 3 });
    expect(summary.byEvent).toEqual({ 'approval.decided': 1, 'pane.state': 1, 'supervisor.blocked': 1 });
  });

  it('a relative --log is taken from the current folder and printed absolute', async () => {
    const { file } = workspaceWithMorningLog();
    const cwd = process.cwd();
    process.chdir(path.dirname(file));
    try {
      const { out } = await run('replay', '--log', 'app.jsonl', '--json');
      expect((JSON.parse(out) as ReplaySummary).file).toBe(file);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a missing log prints the file and exits 1', async () => {
    const workspace = tempDir();
    const { out, err, error } = await run('replay', '-w', workspace);
    expect(error).toBeUndefined();
    expect(out).toBe('');
    expect(err).toBe(`fleet replay: no log at ${workspacePaths(workspace).appLog}\n`);
    expect(process.exitCode).toBe(1);
  });

  it.each(['0', '-1', 'all'])('--limit %s is a usage error', async (limit) => {
    const { file } = workspaceWithMorningLog();
    const { err, error } = await run('replay', '--log', file, '--limit', limit);
    expect((error as { code?: string }).code).toBe('commander.invalidArgument');
    expect(err).toContain(`--limit must be a positive whole number, got "${limit}"`);
  });

  it('is listed in fleet --help', async () => {
    const { out } = await run('--help');
    expect(out).toMatch(/^\s+replay \[options\]\s+summarise the application log/m);
  });
});

describe('fleet replay (the bundled CLI, in its own process)', () => {
  let dir: string;
  let cli: string;
  let big: string;
  const LINES = 100_000;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fleetai-replay-cli-'));
    cli = await buildCli(path.join(dir, 'dist'));
    // 100k lines of about 770 bytes: 77 MB, well over the heap the process is given below.
    big = path.join(dir, 'big.jsonl');
    const out = createWriteStream(big);
    const text = 'x'.repeat(600);
    for (let i = 0; i < LINES; i++) {
      const line =
        i === 4242
          ? '{"ts":"2026-11-21T08:00:00.000Z","level":"info","category":"audit","event":"command.queued","context":{'
          : logLine(at(i), i % 3 ? 'command.queued' : 'pane.state', {
              pane: `p${i % 5}`,
              branch: `b${i % 2}`,
              text,
              queue_depth: i === 77_777 ? 500 : i % 97,
              to: 'working',
            });
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const node = (heapMb: number, ...args: string[]) =>
    spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, ...args], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });

  it('streams a 100k-line log with a 32 MB heap, in which reading it whole does not fit', () => {
    // The control: the same heap cannot hold the file as one string split into lines.
    const whole = node(32, '-e', `require('fs').readFileSync(${JSON.stringify(big)}, 'utf8').split('\\n')`);
    expect(whole.status).not.toBe(0);

    const result = node(32, cli, 'replay', '--log', big, '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as ReplaySummary;
    expect(summary.lines).toBe(LINES);
    expect(summary.malformed).toEqual({ count: 1, lines: [4243] });
    expect(summary.considered).toBe(LINES - 1);
    expect(summary.byEvent).toEqual({ 'command.queued': 66_666, 'pane.state': 33_333 });
    expect(summary.maxQueueDepth).toMatchObject({ depth: 500, ts: at(77_777), pane: 'p2', branch: 'b1' });
    expect(summary.span).toEqual({ first: at(0), last: at(LINES - 1), seconds: LINES - 1 });
    expect(Object.keys(summary.paneStates).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  }, 120_000);

  it('--branch and --limit 200 on the same log (seed 001: --branch storyapp/feature-x --limit 200)', () => {
    const result = node(32, cli, 'replay', '--log', big, '--branch', 'b0', '--limit', '200');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[1]).toBe(
      `Events: 200 considered (branch b0, newest 200; ${LINES / 2 - 1} matched) of ${LINES} lines`,
    );
    // The newest b0 event is line 99999 (i = 99998).
    expect(result.stdout).toContain(`-> ${at(LINES - 2)} (`);
    expect(result.stdout).toContain('Malformed lines: 1 (line 4243), skipped');
  }, 120_000);

  it('exits 1 with the file named when there is no log', () => {
    const missing = path.join(dir, 'none.jsonl');
    const result = node(64, cli, 'replay', '--log', missing);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`fleet replay: no log at ${missing}\n`);
  });
});
