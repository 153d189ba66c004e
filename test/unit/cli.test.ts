import { CommanderError } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../extension/cli/program';
import { workspacePaths } from '../../extension/core/workspacePaths';
import { repoRoot, useTempDirs } from './helpers';

const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};
const tempDir = useTempDirs();

// Some commands report failure through process.exitCode (bin/fleet returns it); keep it from leaking.
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

function expectCommanderError(error: unknown, code: string, exitCode: number): void {
  expect(error).toBeInstanceOf(CommanderError);
  expect((error as CommanderError).code).toBe(code);
  expect((error as CommanderError).exitCode).toBe(exitCode);
}

const line = (level: string, category: string, event: string, context?: Record<string, unknown>) =>
  JSON.stringify({ ts: '2025-01-02T03:04:05.000Z', level, category, event, ...(context ? { context } : {}) });

function workspaceWithLog(lines: string[]): { workspace: string; file: string } {
  const workspace = tempDir();
  const file = workspacePaths(workspace).appLog;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { workspace, file };
}

describe('fleet --version / --help', () => {
  it.each(['--version', '-v'])('%s prints the package.json version', async (flag) => {
    const { out, err, error } = await run(flag);
    expectCommanderError(error, 'commander.version', 0);
    expect(out).toBe(`${version}\n`);
    expect(err).toBe('');
  });

  it('--help lists the doctor and log commands', async () => {
    const { out, error } = await run('--help');
    expectCommanderError(error, 'commander.helpDisplayed', 0);
    expect(out).toMatch(/^Usage: fleet/);
    expect(out).toMatch(/^\s+doctor \[options\]\s+check node-pty/m);
    expect(out).toMatch(/^\s+log \[options\]\s+print the newest lines/m);
  });

  it('an unknown command is a usage error on err', async () => {
    const { out, err, error } = await run('launch');
    expectCommanderError(error, 'commander.unknownCommand', 1);
    expect(out).toBe('');
    expect(err).toContain("unknown command 'launch'");
  });
});

describe('fleet log', () => {
  it('prints valid lines and reports invalid ones with file:line', async () => {
    const { workspace, file } = workspaceWithLog([
      line('info', 'store', 'layout.saved', { panes: 2 }),
      '{"ts": "2025-01-02T03:04:05.000Z", "level": "info",',
      JSON.stringify({ hello: 'world' }),
      '',
      line('warn', 'pty', 'stalled'),
    ]);
    const { out, err, error } = await run('log', '--workspace', workspace);
    expect(error).toBeUndefined();
    expect(out).toBe(
      '2025-01-02T03:04:05.000Z info  store/layout.saved {"panes":2}\n2025-01-02T03:04:05.000Z warn  pty/stalled\n',
    );
    const shown = file; // absolute, so the message works from any folder
    expect(err).toBe(`${shown}:2: not JSON, skipped\n${shown}:3: not a FleetAI log line, skipped\n`);
    expect(process.exitCode).toBe(savedExitCode);
  });

  it('--limit keeps the newest lines, --category filters, --json prints raw lines', async () => {
    const { workspace } = workspaceWithLog([
      line('info', 'store', 'one'),
      line('info', 'pty', 'two'),
      line('info', 'store', 'three'),
      line('info', 'store', 'four'),
    ]);
    const limited = await run('log', '-w', workspace, '-n', '2');
    expect(
      limited.out
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['store/three', 'store/four']);
    const filtered = await run('log', '-w', workspace, '--category', 'pty', '--json');
    expect(
      filtered.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([{ ts: '2025-01-02T03:04:05.000Z', level: 'info', category: 'pty', event: 'two' }]);
  });

  it.each(['0', '-3', '1.5', 'many'])('--limit %s is a usage error', async (limit) => {
    const { workspace } = workspaceWithLog([line('info', 'store', 'one')]);
    const { out, err, error } = await run('log', '-w', workspace, '--limit', limit);
    expectCommanderError(error, 'commander.invalidArgument', 1);
    expect(err).toContain(`--limit must be a positive whole number, got "${limit}"`);
    expect(out).toBe('');
  });

  it('fails with exit code 1 when the workspace has no log', async () => {
    const workspace = tempDir();
    const { out, err, error } = await run('log', '-w', workspace);
    expect(error).toBeUndefined();
    expect(out).toBe('');
    expect(err).toBe(`fleet log: no log at ${workspacePaths(workspace).appLog}\n`);
    expect(process.exitCode).toBe(1);
  });
});

describe('fleet doctor', () => {
  it('--json prints the report and creates the state folder', async () => {
    const workspace = tempDir();
    const { out, error } = await run('doctor', '--json', '-w', workspace);
    expect(error).toBeUndefined();
    const report = JSON.parse(out) as { ok: boolean; checks: { id: string; status: string }[] };
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['node', 'pty', 'state', 'agent:codex']),
    );
    expect(report.checks.find((c) => c.id === 'state')?.status).toBe('ok');
    expect(process.exitCode).toBe(report.ok ? savedExitCode : 1);
  });
});
