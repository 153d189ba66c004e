import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { loadNodePty } from '../../../extension/core/doctor/nativePty';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';
import { VERSION_SCRIPTS, fakeCliDir } from './fakeClis';

// `fleet init` as shipped (bundled the way extension/build/bundle.mjs does), as a child process whose PATH holds
// fake agent CLIs (real scripts) and the system folders only.
let dir: string;
let cli: string;
let pathEnv: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-init-cli-'));
  cli = await buildCli(dir);
  pathEnv = [
    fakeCliDir(dir, { codex: VERSION_SCRIPTS.codex, claude: VERSION_SCRIPTS.claude }),
    '/usr/bin',
    '/bin',
  ].join(path.delimiter);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fleet(args: string[], cwd: string, locale = 'en') {
  return runBuiltCli(cli, args, { cwd, env: cleanCliEnv({ PATH: pathEnv }, { FLEETAI_LOCALE: locale }) });
}

function files(root: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const full = path.join(e.parentPath, e.name);
        return [path.relative(root, full), readFileSync(full, 'utf8')];
      }),
  );
}

interface InitJson {
  ok: boolean;
  clis: { name: string; found: boolean; version?: string }[];
  files: { relative: string; action: string; missing: string[] }[];
  gitignore: { missing: string[]; decision: string; added: string[] };
}

describe('fleet init (built CLI)', () => {
  it('--json on an empty workspace: configs written, CLIs with versions, .gitignore only proposed (not asked)', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const run = await fleet(['init', '--json'], ws);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as InitJson;
    expect(out.ok).toBe(true);
    expect(out.clis.filter((c) => c.found).map((c) => [c.name, c.version])).toEqual([
      ['codex', '0.99.1'],
      ['claude', '2.1.5'],
    ]);
    expect(out.files.map((f) => [f.relative, f.action])).toEqual([
      ['.fleetai/orchestrator.schema.json', 'create'],
      ['.fleetai/mcp.servers.schema.json', 'create'],
      ['.fleetai/orchestrator.json', 'create'],
      ['.fleetai/mcp.servers.json', 'create'],
    ]);
    expect(out.gitignore).toMatchObject({
      missing: ['.fleetai/state/', '.fleetai/logs/', '.fleetai/backups/'],
      decision: 'not-asked',
      added: [],
    });
    const { config } = await loadOrchestratorConfig(path.join(ws, '.fleetai/orchestrator.json'));
    expect(config.panes.map((p) => [p.id, p.autostart])).toEqual([
      ['codex', false],
      ['claude', false],
    ]);
  });

  it('--yes adds the .gitignore lines; a run after user edits changes nothing; --no-gitignore leaves it alone', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    writeFileSync(path.join(ws, '.gitignore'), 'dist/\n');
    const first = await fleet(['init', '--yes'], ws);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created\s+\.fleetai\/orchestrator\.json/);
    expect(first.stdout).toMatch(/codex\s+0\.99\.1/);
    expect(first.stdout).toMatch(/aider\s+not found/);
    expect(readFileSync(path.join(ws, '.gitignore'), 'utf8')).toBe(
      'dist/\n\n# FleetAI: state, logs and backups (fleet init)\n.fleetai/state/\n.fleetai/logs/\n.fleetai/backups/\n',
    );

    const configFile = path.join(ws, '.fleetai/orchestrator.json');
    writeFileSync(
      configFile,
      readFileSync(configFile, 'utf8').replace(
        '"metrics_port": 9108',
        '"metrics_port": 0 /* no scraping here */',
      ),
    );
    const before = files(ws);
    const second = await fleet(['init', '--yes'], ws, 'zh-cn');
    expect(second.code, second.stderr).toBe(0);
    expect(files(ws)).toEqual(before);
    expect(second.stdout).toMatch(/保留\s+\.fleetai\/orchestrator\.json/);
    expect(second.stdout).toMatch(/已忽略/);

    const ws2 = mkdtempSync(path.join(dir, 'ws-'));
    mkdirSync(path.join(ws2, 'src'));
    const skipped = await fleet(['init', '--no-gitignore', '--json'], ws2);
    expect((JSON.parse(skipped.stdout) as InitJson).gitignore.decision).toBe('skipped');
    expect(readdirSync(ws2).sort()).toEqual(['.fleetai', 'src']);
  });

  it('exits 1 and names the file and field of a broken existing config, which it leaves alone', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    mkdirSync(path.join(ws, '.fleetai'));
    writeFileSync(path.join(ws, '.fleetai/orchestrator.json'), '{\n  "panes": [{ "id": "a" }]\n}\n');
    const run = await fleet(['init', '--no-gitignore'], ws);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/orchestrator\.json:2:\d+: panes\[0\]\.agent/);
    expect(readFileSync(path.join(ws, '.fleetai/orchestrator.json'), 'utf8')).toBe(
      '{\n  "panes": [{ "id": "a" }]\n}\n',
    );
  });

  it('on a terminal asks before touching .gitignore, and writes the lines only after a yes', async () => {
    // A real pseudo-terminal (node-pty), so stdin and stdout are TTYs as in a person's shell.
    const pty = loadNodePty();
    const answer = (ws: string, reply: string): Promise<string> =>
      new Promise((resolve) => {
        const term = pty.spawn(process.execPath, [cli, 'init'], {
          cwd: ws,
          cols: 200,
          rows: 50,
          env: cleanCliEnv({ PATH: pathEnv }),
        });
        let output = '';
        let replied = false;
        term.onData((data) => {
          output += data;
          if (!replied && output.includes('[y/N]')) {
            replied = true;
            term.write(`${reply}\r`);
          }
        });
        term.onExit(() => resolve(output));
      });
    const yes = mkdtempSync(path.join(dir, 'ws-'));
    const saidYes = await answer(yes, 'y');
    expect(saidYes).toContain('.fleetai/state/');
    expect(saidYes).toMatch(/added \.fleetai\/state\//);
    expect(readFileSync(path.join(yes, '.gitignore'), 'utf8')).toContain('.fleetai/backups/\n');

    const no = mkdtempSync(path.join(dir, 'ws-'));
    const saidNo = await answer(no, 'n');
    expect(saidNo).toContain('[y/N]');
    expect(saidNo).toMatch(/left alone \(declined\)/);
    expect(readdirSync(no)).toEqual(['.fleetai']);
  });
});
