import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../extension/core/errors';
import { ApprovalStore } from '../../../extension/core/approvals/approvalStore';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { repoRoot, useTempDirs } from '../helpers';

/**
 * Exactly once across real processes: the VS Code window, `fleet approvals decide` and a webhook receiver
 * answer the same request at the same moment. Each child is a separate Node process running the store from a
 * bundle that esbuild builds here.
 */

const tempDir = useTempDirs();
let bundleDir: string;
let driver: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  bundleDir = mkdtempSync(path.join(os.tmpdir(), 'fleetai-race-'));
  driver = path.join(bundleDir, 'raceDriver.cjs');
  await build({
    entryPoints: [path.join(repoRoot, 'test/unit/approvals/raceDriver.ts')],
    outfile: driver,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
}, 60_000);

afterAll(() => {
  rmSync(bundleDir, { recursive: true, force: true });
});

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  stderr: () => string;
}

function start(args: string[]): Child {
  const child = spawn(process.execPath, [driver, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, lines, exited, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface RaceLine {
  ok: boolean;
  by: string;
  code?: string;
  details?: { decidedBy?: string; decidedAt?: string; decision?: string };
}

const input = {
  pane: 'p1',
  agent: 'codex',
  kind: 'command' as const,
  risk: 'high' as const,
  reasons: ['git push --force rewrites the remote branch'],
  source: 'agent' as const,
};

describe('ApprovalStore across processes', () => {
  it('lets exactly one of several racing processes decide each request', async () => {
    const dir = tempDir();
    const store = ApprovalStore.forWorkspace(workspacePaths(dir));
    const ids = [];
    for (const command of ['git push --force', 'npm publish', 'rm -rf /srv']) {
      ids.push((await store.request({ ...input, command })).id);
    }
    const goFile = path.join(dir, 'go');
    const by = ['vscode', 'cli', 'remote'];
    // Three processes per request, nine in all, each with its own store, released at the same moment.
    const racers = ids.flatMap((id) =>
      by.map((who) => ({ id, child: start(['decide', store.dir, id, who, goFile]) })),
    );
    await waitFor(() => racers.every((r) => r.child.lines.includes('ready')), 'all racers to be ready');
    writeFileSync(goFile, 'go');
    const codes = await Promise.all(racers.map((r) => r.child.exited));
    expect(codes, racers.map((r) => r.child.stderr()).join('\n')).toEqual(racers.map(() => 0));

    const completed = JSON.parse(readFileSync(store.completedFile, 'utf8')) as {
      approvals: { id: string; decidedBy: string; decidedAt: string }[];
    };
    expect(completed.approvals.map((r) => r.id).sort()).toEqual(ids.slice().sort());
    expect(JSON.parse(readFileSync(store.pendingFile, 'utf8'))).toEqual({ version: 1, approvals: [] });

    for (const id of ids) {
      const results = racers
        .filter((r) => r.id === id)
        .map((r) => JSON.parse(r.child.lines.find((l) => l.startsWith('{'))!) as RaceLine);
      const winners = results.filter((r) => r.ok);
      const losers = results.filter((r) => !r.ok);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(2);
      const record = completed.approvals.find((r) => r.id === id)!;
      expect(record.decidedBy).toBe(winners[0]!.by);
      for (const loser of losers) {
        expect(loser.code).toBe(ErrorCode.ApprovalAlreadyDecided);
        expect(loser.details).toMatchObject({
          decidedBy: record.decidedBy,
          decidedAt: record.decidedAt,
          decision: 'approve',
        });
      }
    }
  }, 120_000);

  it('waits for a live lock, and takes over the lock of a process that was killed holding it', async () => {
    const dir = tempDir();
    const store = ApprovalStore.forWorkspace(workspacePaths(dir), { lockStaleMs: 5000, lockWaitMs: 300 });
    const { id } = await store.request({ ...input, command: 'git push --force' });
    const holder = start(['hold', store.dir]);
    await waitFor(() => holder.lines.includes('locked'), 'the holder to lock');

    // The holder is alive and refreshes its lock: a short wait gives up with a coded error and writes nothing.
    await expect(store.decide(id, 'approve', { by: 'cli' })).rejects.toMatchObject({
      code: ErrorCode.ApprovalLock,
    });
    expect((await store.pending()).map((r) => r.id)).toEqual([id]);

    holder.process.kill('SIGKILL');
    await holder.exited;
    // Its lock folder stays behind; once it is older than lockStaleMs it counts as abandoned.
    const patient = ApprovalStore.forWorkspace(workspacePaths(dir), {
      lockStaleMs: 5000,
      lockWaitMs: 30_000,
    });
    const result = await patient.decide(id, 'deny', { by: 'vscode' });
    expect(result.ok).toBe(true);
    expect(await patient.get(id)).toMatchObject({ decision: 'deny', decidedBy: 'vscode' });
  }, 120_000);
});
