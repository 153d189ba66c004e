import Ajv from 'ajv';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import {
  loadOrchestratorConfig,
  orchestratorConfigJsonSchema,
} from '../../../extension/core/config/orchestratorConfig';
import { loadMcpConfig, mcpServersJsonSchema } from '../../../extension/core/mcp/mcpConfig';
import { applyInit, createExclusive, planInit, type PlanInitOptions } from '../../../extension/core/init';
import { repoRoot, useTempDirs } from '../helpers';
import { VERSION_SCRIPTS, fakeCliDir } from './fakeClis';

const tempDir = useTempDirs();
const builtinProfilesDir = path.join(repoRoot, 'agents-config');

/** A workspace and a PATH holding only the fake CLIs given (and /bin for their shell). */
function setup(scripts: Record<string, string> = VERSION_SCRIPTS) {
  const dir = tempDir();
  const workspace = path.join(dir, 'ws');
  const bin = fakeCliDir(dir, scripts);
  const options: PlanInitOptions = {
    workspace,
    builtinProfilesDir,
    pathEnv: [bin, '/usr/bin', '/bin'].join(path.delimiter),
    timeoutMs: 60_000,
  };
  return { workspace, options, root: path.join(workspace, '.fleetai') };
}

async function init(options: PlanInitOptions, gitignore = true) {
  const plan = await planInit(options);
  const result = await applyInit(plan, { gitignore });
  return { plan, result };
}

/** Every file of the workspace (dot files too) with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('planInit / applyInit on an empty workspace', () => {
  it('writes configs that the loaders and their $schema accept, with panes for the CLIs found, autostart off', async () => {
    const { options, root, workspace } = setup();
    const { plan, result } = await init(options);

    expect(plan.clis).toEqual([
      expect.objectContaining({ name: 'codex', found: true, version: '0.99.1' }),
      expect.objectContaining({ name: 'claude', found: true, version: '2.1.5' }),
      expect.objectContaining({ name: 'gemini', found: true, version: '0.61.0' }),
      { name: 'aider', found: false },
    ]);
    expect(result.written.map((w) => w.relative).sort()).toEqual([
      '.fleetai/mcp.servers.json',
      '.fleetai/mcp.servers.schema.json',
      '.fleetai/orchestrator.json',
      '.fleetai/orchestrator.schema.json',
    ]);
    expect(result.skipped).toEqual([]);

    const loaded = await loadOrchestratorConfig(path.join(root, 'orchestrator.json'));
    expect(loaded.found).toBe(true);
    expect(loaded.config.panes.map((p) => [p.id, p.agent, p.autostart])).toEqual([
      ['codex', 'codex', false],
      ['claude', 'claude', false],
      ['gemini', 'gemini', false],
    ]);
    const mcp = await loadMcpConfig({ workspace });
    expect(mcp.problems).toEqual([]);
    expect(mcp.files).toEqual([path.join(root, 'mcp.servers.json')]);

    // Each `$schema` names a file next to it, which is this version's schema, and the config validates by it.
    for (const [name, schema] of [
      ['orchestrator.json', orchestratorConfigJsonSchema()],
      ['mcp.servers.json', mcpServersJsonSchema()],
    ] as const) {
      const data = parseJsonc(readFileSync(path.join(root, name), 'utf8')) as { $schema: string };
      const schemaFile = path.join(root, data.$schema);
      expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(schema);
      const validate = new Ajv({ strict: false }).compile(schema);
      expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('a second run after user edits (a value, a comment, a removed pane) changes no byte and reports what is missing', async () => {
    const { options, root, workspace } = setup();
    await init(options);
    const configFile = path.join(root, 'orchestrator.json');
    const edited = readFileSync(configFile, 'utf8')
      .replace('"stall_timeout_seconds": 120,', '"stall_timeout_seconds": 300, // mine, longer')
      .replace(/\n\s*\{ "id": "gemini"[^\n]*/, '')
      .replace('"claude", "autostart": false },', '"claude", "autostart": false }')
      .replace('"$schema": "./orchestrator.schema.json",\n', '// my own comment\n');
    writeFileSync(configFile, edited);
    writeFileSync(path.join(root, 'mcp.servers.json'), '{ "servers": { "x": { "command": "echo" } } }\n');
    expect((await loadOrchestratorConfig(configFile)).config.stall_timeout_seconds).toBe(300);
    const before = snapshot(workspace);

    const { plan, result } = await init(options);
    expect(snapshot(workspace)).toEqual(before);
    expect(result.written).toEqual([]);
    expect(result.gitignoreAdded).toEqual([]);
    const byRole = Object.fromEntries(plan.files.map((f) => [f.role, f]));
    expect(byRole.orchestrator).toMatchObject({
      action: 'keep',
      missing: ['$schema', 'panes[agent=gemini]'],
    });
    expect(byRole.mcpServers).toMatchObject({ action: 'keep', missing: ['$schema'] });
    expect(byRole.orchestratorSchema?.action).toBe('unchanged');
    // The pane the user removed is offered, not brought back.
    expect(plan.profiles.map((p) => [p.agent, p.status])).toEqual([
      ['codex', 'present'],
      ['claude', 'present'],
      ['gemini', 'offered'],
    ]);
  });

  it('adds the panes chosen (the palette) to an existing config, keeping its comments and values byte for byte', async () => {
    const { options, root } = setup();
    const configFile = path.join(root, 'orchestrator.json');
    const mine =
      '{\n  // my settings\n  "stall_timeout_seconds": 90, /* why: slow CI */\n  "panes": [\n    { "id": "codex", "agent": "shell" }\n  ]\n}\n';
    await createExclusive(configFile, mine);
    const { plan, result } = await init({ ...options, profiles: ['codex', 'gemini'] });
    expect(result.written.find((w) => w.relative === '.fleetai/orchestrator.json')?.action).toBe('merge');
    const text = readFileSync(configFile, 'utf8');
    expect(text.startsWith('{\n  // my settings\n  "stall_timeout_seconds": 90, /* why: slow CI */\n')).toBe(
      true,
    );
    const { config } = await loadOrchestratorConfig(configFile);
    // The id "codex" is the user's shell pane: the codex pane takes the next free id.
    expect(config.panes.map((p) => [p.id, p.agent, p.autostart])).toEqual([
      ['codex', 'shell', true],
      ['codex-2', 'codex', false],
      ['gemini', 'gemini', false],
    ]);
    expect(plan.profiles.find((p) => p.agent === 'claude')?.status).toBe('offered');
  });

  it('leaves a broken config alone and names its problem', async () => {
    const { options, root } = setup();
    const configFile = path.join(root, 'orchestrator.json');
    await createExclusive(configFile, '{ "stall_timeout_seconds": "soon" }\n');
    const { plan, result } = await init({ ...options, profiles: ['codex'] });
    const file = plan.files.find((f) => f.role === 'orchestrator');
    expect(file?.action).toBe('keep');
    expect(file?.problem).toMatch(/orchestrator\.json:1:\d+: stall_timeout_seconds/);
    expect(readFileSync(configFile, 'utf8')).toBe('{ "stall_timeout_seconds": "soon" }\n');
    expect(result.written.map((w) => w.relative)).not.toContain('.fleetai/orchestrator.json');
  });

  it('never replaces a file created between the plan and the apply', async () => {
    const { options, root } = setup({});
    const plan = await planInit(options);
    expect(plan.clis.every((c) => !c.found)).toBe(true);
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'orchestrator.json'), '{}\n', { flag: 'wx' });
    const result = await applyInit(plan, { gitignore: false });
    expect(readFileSync(path.join(root, 'orchestrator.json'), 'utf8')).toBe('{}\n');
    expect(result.skipped.map((s) => [s.relative, s.reason])).toEqual([
      ['.fleetai/orchestrator.json', 'created by someone else since the plan'],
    ]);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a config written with no CLI found still validates (its panes list is empty)', async () => {
    const { options, root } = setup({});
    await init(options, false);
    const { config } = await loadOrchestratorConfig(path.join(root, 'orchestrator.json'));
    expect(config.panes).toEqual([]);
    expect(existsSync(path.join(path.dirname(root), '.gitignore'))).toBe(false);
  });
});
