import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';

// `fleet backup`, `fleet backup:list` and `fleet restore` from the CLI bundled the way the package ships it, run
// as child processes (stdin is not a terminal there, as in a script or CI).
let dir: string;
let cli: string;
let workspace: string;
let stateDir: string;
const env = cleanCliEnv();

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fleetai-backupcli-'));
  cli = await buildCli(dir);
  workspace = path.join(dir, 'ws');
  stateDir = path.join(workspace, '.fleetai', 'state');
  await fs.mkdir(path.join(stateDir, 'approvals'), { recursive: true });
  await fs.writeFile(
    path.join(workspace, '.fleetai', 'orchestrator.json'),
    '{ "backup": { "keep_daily": 3 } }\n',
  );
  await fs.writeFile(path.join(stateDir, 'supervisor.json'), '{"version":1}\n');
  await fs.writeFile(path.join(stateDir, 'approvals', 'pending.json'), '{"approvals":[]}\n');
}, 120_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const fleet = (args: string[]) =>
  runBuiltCli(cli, [...args, '--workspace', workspace], { env, cwd: workspace });

describe('fleet backup / backup:list / restore (built CLI)', () => {
  it('backs up, lists, refuses to restore without --yes off a terminal, and restores with it', async () => {
    const backup = await fleet(['backup', '--json']);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const made = JSON.parse(backup.stdout) as { ok: boolean; file: string; bytes: number };
    expect(made.ok).toBe(true);
    expect(path.dirname(made.file)).toBe(path.join(workspace, '.fleetai', 'backups'));
    expect(made.bytes).toBe((await fs.stat(made.file)).size);

    // The app log has the backup with its file and size.
    const logLines = (await fs.readFile(path.join(workspace, '.fleetai', 'logs', 'app.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; context?: { file?: string; bytes?: number } });
    const created = logLines.find((l) => l.event === 'backup.created');
    expect(created?.context).toMatchObject({ file: made.file, bytes: made.bytes });

    const list = await fleet(['backup:list', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as { backups: { name: string; kind: string }[] };
    expect(listed.backups.filter((b) => b.kind === 'state').map((b) => b.name)).toEqual([
      path.basename(made.file),
    ]);
    expect(listed.backups.some((b) => b.kind === 'logs')).toBe(true);

    await fs.writeFile(path.join(stateDir, 'supervisor.json'), '{"version":2}\n');
    await fs.writeFile(path.join(stateDir, 'extra.json'), '{}\n');

    // Not a terminal and no --yes: the changes are shown, nothing is restored, and it says why.
    const refused = await fleet(['restore', path.basename(made.file)]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('  ~ supervisor.json');
    expect(refused.stdout).toContain('  - extra.json');
    expect(refused.stdout).toContain('0 added, 1 changed, 1 removed, 1 unchanged');
    expect(refused.stderr).toContain('not a terminal: nothing was restored; run again with --yes');
    expect(await fs.readFile(path.join(stateDir, 'supervisor.json'), 'utf8')).toBe('{"version":2}\n');
    expect(await fs.readFile(path.join(stateDir, 'extra.json'), 'utf8')).toBe('{}\n');

    const restored = await fleet(['restore', made.file, '--yes', '--json']);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const result = JSON.parse(restored.stdout) as {
      restored: boolean;
      plan: { changed: string[]; removed: string[] };
      before: string;
    };
    expect(result).toMatchObject({
      restored: true,
      plan: { changed: ['supervisor.json'], removed: ['extra.json'] },
    });
    expect(await fs.readFile(path.join(stateDir, 'supervisor.json'), 'utf8')).toBe('{"version":1}\n');
    await expect(fs.stat(path.join(stateDir, 'extra.json'))).rejects.toThrow();
    // The state before the restore was backed up first.
    expect(result.before).not.toBe(made.file);
    await fs.stat(result.before);
    const restoredLine = (await fs.readFile(path.join(workspace, '.fleetai', 'logs', 'app.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; context?: Record<string, unknown> })
      .find((l) => l.event === 'backup.restored');
    expect(restoredLine?.context).toMatchObject({
      file: made.file,
      before: result.before,
      changed: 1,
      removed: 1,
    });

    // Restoring again: nothing to change.
    const again = await fleet(['restore', made.file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to restore');
  }, 120_000);

  // A real terminal: util-linux `script` runs the CLI on a pseudo-terminal and types the answer into it (the
  // tty buffers it until the prompt reads it). Linux only: BSD/macOS `script` takes other arguments.
  it.runIf(process.platform === 'linux')(
    'on a terminal it asks: "n" changes nothing, "y" restores',
    async () => {
      const made = JSON.parse((await fleet(['backup', '--json'])).stdout) as { file: string };
      await fs.writeFile(path.join(stateDir, 'supervisor.json'), '{"version":3}\n');
      const backupsBefore = (await fs.readdir(path.join(workspace, '.fleetai', 'backups'))).sort();
      const onTerminal = (answer: string) =>
        new Promise<{ code: number; output: string }>((resolve) => {
          const command = [process.execPath, cli, 'restore', made.file, '--workspace', workspace]
            .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
            .join(' ');
          const child = spawn('script', ['-qec', command, '/dev/null'], { env, cwd: workspace });
          let output = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
          child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
          child.on('close', (code) => resolve({ code: code ?? -1, output }));
          child.stdin.end(`${answer}\r`);
        });
      const no = await onTerminal('n');
      expect(no.output).toContain('[y/N]');
      expect(no.output).toContain('cancelled: nothing was restored');
      expect(no.code).toBe(0);
      expect(await fs.readFile(path.join(stateDir, 'supervisor.json'), 'utf8')).toBe('{"version":3}\n');
      expect((await fs.readdir(path.join(workspace, '.fleetai', 'backups'))).sort()).toEqual(backupsBefore);
      const yes = await onTerminal('y');
      expect(yes.output).toContain('restored');
      expect(yes.code).toBe(0);
      expect(await fs.readFile(path.join(stateDir, 'supervisor.json'), 'utf8')).toBe('{"version":1}\n');
    },
    120_000,
  );

  it('names the archive that does not exist', async () => {
    const missing = await fleet(['restore', 'state-20200101-000000.tar.gz', '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^E_STORE_READ: .*state-20200101-000000\.tar\.gz/);
  }, 60_000);
});
