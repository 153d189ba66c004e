import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentProfile } from '../../../extension/core/schemas/agentProfile';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';
import { repoRoot } from '../helpers';

// `fleet agents:config:*` as shipped: the CLI bundled into <tmp>/dist/cli.js with the shipped profiles beside it
// (<tmp>/agents-config, a link to the repository's), run as a child process. Async spawn: the fake model runs in
// this process and a spawnSync would block it.
let dir: string;
let cli: string;
let server: FakeModelServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-agents-cli-'));
  cli = await buildCli(path.join(dir, 'dist'));
  symlinkSync(path.join(repoRoot, 'agents-config'), path.join(dir, 'agents-config'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  server = await startFakeModel({ keepBodies: true });
});
afterEach(async () => {
  await server.close();
});

const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => cleanCliEnv(extra);

function fleet(
  args: string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBuiltCli(cli, args, { env });
}

function workspace(withModel = false): string {
  const ws = mkdtempSync(path.join(dir, 'ws-'));
  mkdirSync(path.join(ws, '.fleetai/agents'), { recursive: true });
  if (withModel)
    writeFileSync(
      path.join(ws, '.fleetai/orchestrator.json'),
      JSON.stringify({
        model: { base_url: `${server.url}/v1`, model: 'fake-meta', api_key_env: 'META_KEY' },
      }),
    );
  return ws;
}

const shell = JSON.parse(readFileSync(path.join(repoRoot, 'agents-config/shell.json'), 'utf8')) as Record<
  string,
  unknown
>;

describe('fleet agents:config:list', () => {
  it('lists the shipped and workspace profiles, registry agents, and the broken files', async () => {
    const ws = workspace();
    writeFileSync(
      path.join(ws, '.fleetai/agents/mybot.json'),
      JSON.stringify({ ...shell, $schema: undefined, kind: 'mybot', displayName: 'My Bot' }),
    );
    writeFileSync(
      path.join(ws, '.fleetai/agents/broken.json'),
      JSON.stringify({ ...shell, kind: 'broken', command: '' }),
    );
    const json = await fleet(['agents:config:list', '-w', ws, '--json']);
    expect(json.code).toBe(1);
    const { rows } = JSON.parse(json.stdout) as {
      rows: {
        kind: string;
        type: string;
        source: string;
        files: string[];
        valid: boolean;
        problem?: string;
      }[];
    };
    expect(rows.find((r) => r.kind === 'codex')).toMatchObject({
      type: 'profile',
      source: 'built-in',
      valid: true,
    });
    expect(rows.find((r) => r.kind === 'mybot')).toMatchObject({
      source: 'workspace',
      valid: true,
      files: [path.join(ws, '.fleetai/agents/mybot.json')],
    });
    expect(rows.find((r) => r.kind === 'reviewer')).toMatchObject({ type: 'registry-agent', valid: true });
    const broken = rows.find((r) => r.kind === 'broken');
    expect(broken).toMatchObject({ source: 'workspace', valid: false });
    expect(broken?.problem).toContain('command');

    const text = await fleet(['agents:config:list', '-w', ws]);
    expect(text.stdout).toMatch(/^mybot\s+profile\s+workspace\s+\S+mybot\.json\s+valid$/m);
    expect(text.stdout).toMatch(/^broken\s+unknown\s+workspace\s+\S+broken\.json\s+INVALID: .*command/m);
  }, 60_000);
});

describe('fleet agents:config:validate', () => {
  it('passes good files and overrides; exit 1 with the file and field of a bad one', async () => {
    const ws = workspace();
    const good = path.join(ws, 'good.json');
    writeFileSync(good, JSON.stringify({ ...shell, kind: 'goodbot' }));
    const override = path.join(ws, 'codex.json');
    writeFileSync(override, JSON.stringify({ schemaVersion: 1, kind: 'codex', displayName: 'My Codex' }));
    const ok = await fleet(['agents:config:validate', good, override, '-w', ws]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('2 file(s)/profile(s) valid\n');

    const bad = path.join(ws, 'bad.json');
    const patterns = structuredClone(shell.patterns) as { rules: { regex: string }[] }[];
    patterns[0]!.rules[1]!.regex = '(';
    writeFileSync(bad, JSON.stringify({ ...shell, kind: 'badbot', patterns }));
    const failed = await fleet(['agents:config:validate', good, bad, '-w', ws]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(bad);
    expect(failed.stderr).toContain('patterns[0].rules[1].regex');
    expect(failed.stdout).toBe('1 problem(s)\n');

    // Without files: the workspace's own folders.
    expect((await fleet(['agents:config:validate', '-w', ws])).code).toBe(0);
  }, 60_000);
});

describe('fleet agents:config:generate', () => {
  it('prints the diff and writes only with --yes', async () => {
    const ws = workspace(true);
    const env = cleanEnv({ META_KEY: 'sk-test' });
    const file = path.join(ws, '.fleetai/agents/mybot.json');

    const dry = await fleet(['agents:config:generate', 'Mybot fleetai-fake:invalid', '-w', ws], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const lines = dry.stdout.split('\n');
    expect(lines[0]).toBe('generated profile "mybot" with the model fake-meta in 2 attempt(s)');
    expect(lines[1]).toBe('  attempt 1 refused: 1 problem(s) sent back');
    expect(lines).toContain('--- /dev/null');
    expect(lines).toContain('+++ b/mybot.json');
    expect(lines).toContain('+  "kind": "mybot",');
    expect(lines).toContain(`not written (run again with --yes to write ${file})`);
    expect(existsSync(file)).toBe(false);

    const wet = await fleet(['agents:config:generate', 'Mybot', '-w', ws, '--yes'], env);
    expect(wet.code).toBe(0);
    expect(wet.stdout).toContain(`wrote ${file}`);
    expect(AgentProfile.safeParse(JSON.parse(readFileSync(file, 'utf8'))).success).toBe(true);

    const list = await fleet(['agents:config:list', '-w', ws, '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { rows: unknown[] }).rows).toContainEqual(
      expect.objectContaining({ kind: 'mybot', source: 'workspace', valid: true }),
    );
  }, 60_000);

  it('fails with the field after the attempts and writes nothing; no model is E_MODEL_NOT_CONFIGURED', async () => {
    const ws = workspace(true);
    const env = cleanEnv({ META_KEY: 'sk-test' });
    const failed = await fleet(
      ['agents:config:generate', 'Mybot fleetai-fake:invalid_always', '-w', ws, '--yes'],
      env,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('E_MODEL_BAD_OUTPUT');
    expect(failed.stderr).toContain('patterns[0].rules[0].state');
    expect(existsSync(path.join(ws, '.fleetai/agents/mybot.json'))).toBe(false);

    const none = await fleet(['agents:config:generate', 'Mybot', '-w', workspace(), '--yes']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('E_MODEL_NOT_CONFIGURED');
  }, 60_000);
});
