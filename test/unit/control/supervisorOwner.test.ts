import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer } from '../../../extension/core/control/controlServer';
import { findSupervisorOwner } from '../../../extension/core/control/supervisorOwner';
import { createAppLog } from '../../../extension/core/observability/appLog';
import { repoRoot, useTempDirs } from '../helpers';

// One supervisor per workspace: who owns it is read from control.json and checked against real processes and a
// real socket, never taken on the file's word.
const tempDir = useTempDirs();
let bundleDir: string;
let driver: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  bundleDir = mkdtempSync(path.join(os.tmpdir(), 'fleetai-owner-'));
  driver = path.join(bundleDir, 'controlServerDriver.cjs');
  await build({
    entryPoints: [path.join(repoRoot, 'test/unit/control/controlServerDriver.ts')],
    outfile: driver,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
}, 60_000);

afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A supervisor in another process; resolves once its control file is written. */
async function otherSupervisor(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [driver, path.join(dir, 'control.json'), path.join(dir, 'control.sock')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`driver exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('findSupervisorOwner', () => {
  it('finds nobody without a control file, and cannot trust one that does not parse', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'control.json');
    expect(await findSupervisorOwner(file)).toEqual({ state: 'none' });
    writeFileSync(file, '{ "socket": ');
    const owner = await findSupervisorOwner(file);
    expect(owner.state).toBe('unreadable');
    expect(owner.state === 'unreadable' && owner.reason).toContain('control.json');
  });

  it('sees a supervisor in another process that answers with its token as live', async () => {
    const dir = tempDir();
    const child = await otherSupervisor(dir);
    const owner = await findSupervisorOwner(path.join(dir, 'control.json'));
    expect(owner.state).toBe('live');
    expect(owner.state === 'live' && owner.control.pid).toBe(child.pid);
  });

  it('sees the file of a killed supervisor as stale', async () => {
    const dir = tempDir();
    const child = await otherSupervisor(dir);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const owner = await findSupervisorOwner(path.join(dir, 'control.json'));
    expect(owner).toMatchObject({ state: 'stale', reason: `process ${child.pid} is gone` });
  });

  it('does not take a living process for a supervisor when its socket refuses the token or is not there', async () => {
    const dir = tempDir();
    const child = await otherSupervisor(dir);
    const file = path.join(dir, 'control.json');
    const control = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...control, token: 'not-the-token' }));
    const refused = await findSupervisorOwner(file);
    expect(refused.state).toBe('stale');
    expect(refused.state === 'stale' && refused.reason).toContain('E_CONTROL_TOKEN');

    // A recycled pid: a process lives, but no supervisor listens.
    writeFileSync(file, JSON.stringify({ ...control, socket: path.join(dir, 'nothing.sock') }));
    const silent = await findSupervisorOwner(file, { timeoutMs: 2000 });
    expect(silent.state).toBe('stale');
    expect(silent.state === 'stale' && silent.control.pid).toBe(child.pid);
  });

  it('does not count a file this very process wrote as another supervisor', async () => {
    const dir = tempDir();
    const log = createAppLog({ file: path.join(dir, 'app.jsonl') });
    const server = await startControlServer({
      preferredSocket: path.join(dir, 'control.sock'),
      controlFile: path.join(dir, 'control.json'),
      workspace: dir,
      handler: () => Promise.resolve(null),
      log,
    });
    try {
      const owner = await findSupervisorOwner(path.join(dir, 'control.json'));
      expect(owner).toMatchObject({ state: 'stale', reason: 'written by this process earlier' });
    } finally {
      await server.close();
      await log.close();
    }
  });
});
