import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';
import { repoRoot } from '../helpers';

// The `fleet` CLI as shipped (bundled like extension/build/bundle.mjs): a running `fleet orchestrator` takes the
// tasks a separate `fleet tasks:apply` writes into orchestrator.json, and keeps its board when the file turns
// invalid. No agent runs (the config has no panes): the board is read from the supervisor's saved state and log.

let dir: string;
let cli: string;
let ws: string;
let proc: ChildProcess | undefined;
let stderr = '';

interface LogLine {
  event: string;
  context?: Record<string, unknown>;
}
const logLines = (): LogLine[] => {
  const file = path.join(ws, '.fleetai/logs/app.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l) as LogLine] : [];
      } catch {
        return []; // a line being written right now
      }
    });
};
const savedTasks = (): Record<string, { phase: string }> => {
  const file = path.join(ws, '.fleetai/state/supervisor.json');
  if (!existsSync(file)) return {};
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { tasks: Record<string, { phase: string }> }).tasks;
  } catch {
    return {}; // being replaced right now
  }
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-tasks-reload-cli-'));
  cli = await buildCli(dir);
  ws = path.join(dir, 'ws');
  mkdirSync(path.join(ws, '.fleetai/drafts'), { recursive: true });
  writeFileSync(
    path.join(ws, '.fleetai/orchestrator.json'),
    JSON.stringify(
      { metrics_port: 0, portal: { port: 0 }, tasks: [{ id: 'schema', title: 'Design the schema' }] },
      null,
      2,
    ),
  );
}, 60_000);

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGTERM');
    await vi
      .waitFor(() => expect(proc!.exitCode).not.toBeNull(), { timeout: 20_000 })
      .catch(() => {
        proc!.kill('SIGKILL');
      });
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet orchestrator reloads its tasks', () => {
  it('takes the tasks fleet tasks:apply writes, without a restart, and keeps them when the file turns invalid', async () => {
    const env = cleanCliEnv({ NODE_PATH: path.join(repoRoot, 'node_modules') });
    proc = spawn(process.execPath, [cli, 'orchestrator', '-w', ws], {
      cwd: ws,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const alive = () => expect(proc!.exitCode, stderr).toBeNull();
    await vi.waitFor(
      () => {
        alive();
        expect(Object.keys(savedTasks())).toEqual(['schema']);
      },
      { timeout: 60_000, interval: 100 },
    );

    const draft = path.join(ws, '.fleetai/drafts/plan.tasks.json');
    writeFileSync(
      draft,
      JSON.stringify({
        source: {
          doc: 'docs/plan.md',
          sha256: '0'.repeat(64),
          decomposed_by: 'rules',
          created_at: '2026-11-21T10:00:00.000Z',
        },
        tasks: [
          { id: 'api', title: 'Build the API', depends_on: ['schema'] },
          { id: 'ui', title: 'Build the UI', depends_on: ['api'] },
        ],
      }),
    );
    const applied = await runBuiltCli(cli, ['tasks:apply', draft, '--yes', '-w', ws], { env, cwd: ws });
    expect(applied.code, applied.stderr).toBe(0);

    await vi.waitFor(
      () => {
        alive();
        expect(Object.keys(savedTasks()).sort()).toEqual(['api', 'schema', 'ui']);
        expect(logLines().filter((l) => l.event === 'tasks.reloaded')).toEqual([
          expect.objectContaining({
            context: expect.objectContaining({ total: 3, added: 2, removed: 0, changed: 0 }) as unknown,
          }),
        ]);
      },
      { timeout: 30_000, interval: 100 },
    );

    // A task depending on one that does not exist: refused, named, and the board stays as it was.
    const config = path.join(ws, '.fleetai/orchestrator.json');
    const valid = readFileSync(config, 'utf8');
    writeFileSync(
      config,
      valid.replace('"depends_on": [\n        "api"\n      ]', '"depends_on": [\n        "apy"\n      ]'),
    );
    expect(readFileSync(config, 'utf8')).toContain('"apy"');
    const invalid = await vi.waitFor(
      () => {
        alive();
        const line = logLines().find((l) => l.event === 'tasks.reload.invalid');
        expect(line).toBeDefined();
        return line!;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(invalid.context?.file).toBe(config);
    expect(String(invalid.context?.error)).toContain('no task with id "apy"');
    expect(logLines().filter((l) => l.event === 'tasks.reloaded')).toHaveLength(1);
    alive();
  }, 120_000);
});
