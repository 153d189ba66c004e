import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileRegistry, type ProfileRegistryChange } from '../../../extension/core/agents/profileRegistry';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { caught, repoRoot, useTempDirs } from '../helpers';

// The registry on real folders with real fs.watch events: nothing is mocked. Waits poll with generous limits.
const tempDir = useTempDirs();
const shell = JSON.parse(readFileSync(path.join(repoRoot, 'agents-config/shell.json'), 'utf8')) as Record<
  string,
  unknown
>;
let open: ProfileRegistry[] = [];
afterEach(() => {
  for (const registry of open) registry.close();
  open = [];
});

/** A copy of the shipped profiles and a workspace state folder, so the test may change both. */
function folders(): { builtinDir: string; stateRoot: string; agentsDir: string } {
  const root = tempDir();
  const builtinDir = path.join(root, 'agents-config');
  cpSync(path.join(repoRoot, 'agents-config'), builtinDir, { recursive: true });
  const stateRoot = path.join(root, 'ws', '.fleetai');
  mkdirSync(stateRoot, { recursive: true });
  return { builtinDir, stateRoot, agentsDir: path.join(stateRoot, 'agents') };
}

async function openRegistry(dirs: { builtinDir: string; stateRoot: string }): Promise<{
  registry: ProfileRegistry;
  changes: ProfileRegistryChange[];
}> {
  const registry = await ProfileRegistry.open({ ...dirs, watch: true, debounceMs: 50 });
  open.push(registry);
  const changes: ProfileRegistryChange[] = [];
  registry.on('changed', (c) => changes.push(c));
  return { registry, changes };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Saves as editors that write a temporary file and rename it do: a watcher never sees a half-written file, so
 * each save is exactly one version (a plain truncate-and-write may show an empty file for a moment).
 */
function save(file: string, text: string): void {
  writeFileSync(`${file}.saving`, text);
  renameSync(`${file}.saving`, file);
}

function profile(kind: string, displayName: string): Record<string, unknown> {
  return { ...structuredClone(shell), $schema: undefined, kind, displayName, command: kind };
}

describe('ProfileRegistry', () => {
  it('loads the shipped profiles and registry agents, listed with their type and source', async () => {
    const { registry } = await openRegistry(folders());
    const list = registry.list();
    expect(list.filter((e) => e.type === 'profile').map((e) => e.kind)).toEqual(
      expect.arrayContaining(['codex', 'claude', 'gemini', 'aider', 'shell']),
    );
    expect(list.find((e) => e.kind === 'reviewer')).toMatchObject({
      type: 'registry-agent',
      source: 'built-in',
    });
    expect(list.find((e) => e.kind === 'shell')).toMatchObject({ source: 'built-in' });
    expect(registry.problems()).toEqual([]);
  });

  it('keeps watching a workspace profiles folder that is deleted and made again', async () => {
    const dirs = folders();
    mkdirSync(dirs.agentsDir, { recursive: true });
    save(path.join(dirs.agentsDir, 'first.json'), JSON.stringify(profile('first', 'First')));
    const { registry } = await openRegistry(dirs);
    expect(registry.get('first')).toBeDefined();
    // Gone and back within one debounce (a test's clean-up, a checkout): no reload sees the folder missing.
    rmSync(dirs.agentsDir, { recursive: true, force: true });
    mkdirSync(dirs.agentsDir);
    await until(() => registry.get('first') === undefined, 'first unloaded with its folder');
    await new Promise((r) => setTimeout(r, 200));
    save(path.join(dirs.agentsDir, 'second.json'), JSON.stringify(profile('second', 'Second')));
    await until(() => registry.get('second') !== undefined, 'second loaded from the new folder');
    // The folder's own watcher (not only the parent's) must be the new folder's: a later file is seen too.
    save(path.join(dirs.agentsDir, 'third.json'), JSON.stringify(profile('third', 'Third')));
    await until(() => registry.get('third') !== undefined, 'third loaded from the new folder');
  });

  it('hot-reloads: add, change to invalid (old kept, reported once), fix, remove', async () => {
    const dirs = folders();
    const { registry, changes } = await openRegistry(dirs);
    const file = path.join(dirs.agentsDir, 'mybot.json');

    // The agents folder does not exist yet: its creation is seen from the state folder.
    mkdirSync(dirs.agentsDir);
    save(file, JSON.stringify(profile('mybot', 'My Bot v1')));
    await until(() => registry.get('mybot')?.displayName === 'My Bot v1', 'mybot to load');
    expect(registry.list().find((e) => e.kind === 'mybot')).toMatchObject({
      type: 'profile',
      source: 'workspace',
      files: [file],
    });
    expect(changes.some((c) => c.added.includes('mybot'))).toBe(true);

    const bad = profile('mybot', 'My Bot v2');
    (bad.patterns as { rules: { state: string }[] }[])[0]!.rules[0]!.state = 'thinking';
    save(file, JSON.stringify(bad));
    await until(
      () => registry.problems().some((p) => p.message.includes('patterns[0].rules[0].state')),
      'the problem to be reported',
    );
    const [problem] = registry.problems();
    expect(problem?.file).toBe(file);
    expect(problem?.message).toContain('patterns[0].rules[0].state');
    expect(registry.get('mybot')?.displayName).toBe('My Bot v1');
    const reported = changes.flatMap((c) => c.problems);
    expect(reported).toHaveLength(1);

    // The same bad content saved again is not reported a second time.
    save(file, `${JSON.stringify(bad)}\n`);
    await registry.reload();
    expect(changes.flatMap((c) => c.problems)).toHaveLength(1);
    expect(registry.get('mybot')?.displayName).toBe('My Bot v1');

    save(file, JSON.stringify(profile('mybot', 'My Bot v3')));
    await until(() => registry.get('mybot')?.displayName === 'My Bot v3', 'the fixed file to load');
    expect(registry.problems()).toEqual([]);

    rmSync(file);
    await until(() => registry.get('mybot') === undefined, 'mybot to unload');
    expect(changes.some((c) => c.removed.includes('mybot'))).toBe(true);
    expect(registry.get('shell')).toBeDefined();
  });

  it('an override that turns invalid keeps the previous merged profile; its removal reverts to the built-in', async () => {
    const dirs = folders();
    mkdirSync(dirs.agentsDir);
    const file = path.join(dirs.agentsDir, 'shell.json');
    save(file, JSON.stringify({ schemaVersion: 1, kind: 'shell', displayName: 'My Shell' }));
    const { registry } = await openRegistry(dirs);
    expect(registry.get('shell')?.displayName).toBe('My Shell');
    save(file, '{ "schemaVersion": 1, "kind": "shell", "displayName": ');
    await until(() => registry.problems().length === 1, 'the JSON error');
    expect(registry.problems()[0]?.file).toBe(file);
    expect(registry.get('shell')?.displayName).toBe('My Shell');
    rmSync(file);
    await until(() => registry.get('shell')?.displayName === 'Shell', 'the built-in shell');
  });

  it('watches the shipped folder and the workspace registry agents too', async () => {
    const dirs = folders();
    const { registry } = await openRegistry(dirs);
    save(path.join(dirs.builtinDir, 'extra.json'), JSON.stringify(profile('extra', 'Extra')));
    await until(() => registry.get('extra') !== undefined, 'the new built-in');
    expect(registry.list().find((e) => e.kind === 'extra')?.source).toBe('built-in');
    save(
      path.join(dirs.stateRoot, 'agents.registry.json'),
      JSON.stringify({ agents: [{ name: 'triage', instructions: 'Sort the issues.' }] }),
    );
    await until(() => registry.list().some((e) => e.kind === 'triage'), 'the registry agent');
    expect(registry.list().find((e) => e.kind === 'triage')).toMatchObject({
      type: 'registry-agent',
      source: 'workspace',
    });
  });

  it('register validates, writes .fleetai/agents/<kind>.json and loads it', async () => {
    const dirs = folders();
    const registry = await ProfileRegistry.open(dirs);
    open.push(registry);
    const written = await registry.register(profile('newbot', 'New Bot'));
    expect(written.file).toBe(path.join(dirs.agentsDir, 'newbot.json'));
    expect(JSON.parse(readFileSync(written.file, 'utf8'))).toMatchObject({ kind: 'newbot' });
    expect(registry.ensure('newbot').displayName).toBe('New Bot');

    const error = await caught(() => registry.register({ ...profile('worse', 'Worse'), command: '' }));
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe(ErrorCode.StoreSchema);
    expect((error as FleetError).message).toContain('command');
    expect(existsSync(path.join(dirs.agentsDir, 'worse.json'))).toBe(false);
  });

  it('ensure names the kind, the folders looked in and the kinds there are', async () => {
    const dirs = folders();
    const registry = await ProfileRegistry.open(dirs);
    open.push(registry);
    const error = await caught(() => registry.ensure('nobody'));
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe(ErrorCode.AgentUnknown);
    const message = (error as FleetError).message;
    expect(message).toContain('"nobody"');
    expect(message).toContain(dirs.builtinDir);
    expect(message).toContain(dirs.agentsDir);
    expect(message).toContain('codex');
  });
});
