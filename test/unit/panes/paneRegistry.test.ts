import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  PaneRegistry,
  type PaneRegistryChange,
  type PaneRegistryOptions,
} from '../../../extension/core/panes/paneRegistry';
import { nodePtyHost } from '../../../extension/core/panes/ptyHost';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught, repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const registries: PaneRegistry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.disposeAll();
});

// A shell with a known prompt and no user start-up files, whatever the machine's own settings are.
const env = (): Record<string, string | undefined> => ({
  ELECTRON_RUN_AS_NODE: '1',
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  PS1: '$ ',
  ENV: '',
  LANG: 'C',
});

function setup(options: Partial<PaneRegistryOptions> = {}) {
  const workspace = tempDir();
  const log = createMemoryLog();
  const registry = new PaneRegistry({
    builtinProfilesDir: path.join(repoRoot, 'agents-config'),
    paths: workspacePaths(workspace),
    ptyHost: nodePtyHost(),
    log,
    env,
    stallTimeoutMs: () => 60_000,
    ...options,
  });
  registries.push(registry);
  const changes: PaneRegistryChange[] = [];
  registry.onDidChange((c) => changes.push(c));
  return { registry, workspace, log, changes };
}

const until = async (check: () => boolean, what: () => string, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('PaneRegistry with a real /bin/sh', () => {
  it('starts a shell pane, reports its states, types into it, stops it and removes it', async () => {
    const { registry, workspace, changes } = setup();
    const pane = await registry.start({ command: '/bin/sh', cwd: workspace });
    expect(pane).toMatchObject({
      id: 'p1',
      name: 'shell',
      kind: 'shell',
      command: '/bin/sh',
      cwd: workspace,
    });
    expect(pane.args).toEqual([]);
    expect(registry.list()).toEqual([pane]);
    expect(registry.get('p1')).toBe(pane);
    expect(changes[0]).toEqual({ type: 'added', pane });

    const idle = await registry.waitForState('p1', 'awaiting_input', 10_000);
    expect(idle.name).toBe('awaiting_input');
    expect(changes.some((c) => c.type === 'state' && c.event.to === 'awaiting_input')).toBe(true);

    await expect(
      registry.send('p1', 'echo fleet-$((20+22)) "[$ELECTRON_RUN_AS_NODE]" "<$FLEETAI_PANE_ID>"'),
    ).resolves.toBe(true);
    // The extension host's ELECTRON_RUN_AS_NODE does not reach the agent; its pane id does (for FleetAI's MCP
    // server, which the agent starts and which reports for that pane).
    await until(
      () => pane.screen().includes('fleet-42 [] <p1>'),
      () => pane.screen().join('\n'),
    );

    const exit = await registry.stop('p1');
    expect(exit.signal ?? exit.exitCode).not.toBe(undefined);
    await registry.waitForState('p1', 'exited', 5000);
    expect(registry.get('p1')?.exited).toBe(true);
    // Stopping what has already ended answers at once.
    await expect(registry.stop('p1')).resolves.toEqual(exit);

    await registry.remove('p1');
    expect(registry.list()).toEqual([]);
    expect(changes.at(-1)).toEqual({ type: 'removed', id: 'p1' });
    const transcript = path.join(workspacePaths(workspace).paneLogsDir, 'p1.log');
    expect(existsSync(transcript)).toBe(true);
    expect(readFileSync(transcript, 'utf8')).toContain('fleet-42');
  });

  it('starts a kind from its profile alone, numbers panes in order, and keeps a given name', async () => {
    const { registry, workspace } = setup();
    const first = await registry.start({ kind: 'shell', cwd: workspace, name: '  builder ' });
    const second = await registry.start({ kind: 'shell', command: 'sh', args: ['-i'], cwd: workspace });
    expect(first).toMatchObject({
      id: 'p1',
      name: 'builder',
      kind: 'shell',
      command: 'bash',
      displayName: 'Shell',
    });
    expect(second).toMatchObject({ id: 'p2', name: 'shell', command: 'sh', args: ['-i'] });
    expect(registry.list().map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('refuses an unknown kind and a program that is not installed, in words that name them', async () => {
    const { registry, workspace, changes } = setup();
    const unknown = await caught(() => registry.start({ kind: 'nope', cwd: workspace }));
    expect(unknown).toBeInstanceOf(FleetError);
    expect((unknown as FleetError).code).toBe(ErrorCode.AgentUnknown);
    expect((unknown as FleetError).message).toMatch(/No agent profile "nope"; known: .*codex.*shell/);

    const missing = await caught(() =>
      registry.start({ kind: 'codex', command: 'fleetai-no-such-codex', cwd: workspace }),
    );
    expect((missing as FleetError).code).toBe(ErrorCode.AgentNotFound);
    expect((missing as FleetError).message).toBe('fleetai-no-such-codex is not on PATH');
    expect((missing as FleetError).details).toEqual({ kind: 'codex', command: 'fleetai-no-such-codex' });

    const badPath = await caught(() => registry.start({ command: './missing/agent', cwd: workspace }));
    expect((badPath as FleetError).code).toBe(ErrorCode.AgentNotFound);
    expect(registry.list()).toEqual([]);
    expect(changes).toEqual([]);
    // A failed start uses no id.
    await expect(registry.start({ command: '/bin/sh', cwd: workspace })).resolves.toMatchObject({ id: 'p1' });
  });

  it('lists agent kinds with their programs, including a workspace profile, and starts that profile', async () => {
    const { registry, workspace } = setup();
    const agentsDir = path.join(workspacePaths(workspace).root, 'agents');
    mkdirSync(agentsDir, { recursive: true });
    const shell = JSON.parse(readFileSync(path.join(repoRoot, 'agents-config/shell.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      path.join(agentsDir, 'dash.json'),
      JSON.stringify({
        ...shell,
        $schema: undefined,
        kind: 'dash',
        displayName: 'Dash',
        command: '/bin/sh',
        detect: { executables: [] },
      }),
    );
    const choices = await registry.agentChoices(workspace);
    expect(choices.map((c) => c.kind)).toEqual(expect.arrayContaining(['codex', 'shell', 'dash']));
    expect(choices.find((c) => c.kind === 'dash')).toEqual({
      kind: 'dash',
      displayName: 'Dash',
      command: '/bin/sh',
      args: [],
      path: '/bin/sh',
      offersFleetMcp: false,
    });
    expect(choices.find((c) => c.kind === 'codex')?.offersFleetMcp).toBe(true);
    expect(choices.find((c) => c.kind === 'shell')?.path).toMatch(/bash$/);
    // Installed agents come first.
    const installed = choices.map((c) => c.path !== undefined);
    expect(installed).toEqual([...installed].sort((a, b) => Number(b) - Number(a)));

    const pane = await registry.start({ kind: 'dash', cwd: workspace });
    expect(pane).toMatchObject({ kind: 'dash', displayName: 'Dash', command: '/bin/sh' });
    await registry.waitForState(pane.id, 'awaiting_input', 10_000);
  });

  it('rejects a wait that times out or names an unknown pane, saying what the pane is doing', async () => {
    const { registry, workspace } = setup();
    const pane = await registry.start({ command: '/bin/sh', cwd: workspace });
    await registry.waitForState(pane.id, 'awaiting_input', 10_000);
    const late = await caught(() => registry.waitForState(pane.id, 'awaiting_approval', 100));
    expect((late as Error).message).toMatch(
      /did not reach awaiting_approval within 100 ms; it is awaiting_input/,
    );
    const unknown = await caught(() => registry.waitForState('p9', 'exited', 100));
    expect((unknown as FleetError).code).toBe(ErrorCode.PaneNotFound);
    expect(() => registry.send('p9', 'x')).toThrow(/No agent pane "p9"/);
  });

  it('kills an agent that ignores SIGHUP once the grace period is over', async () => {
    const { registry, workspace, log } = setup({ stopGraceMs: 200 });
    const pane = await registry.start({
      kind: 'shell',
      command: '/bin/sh',
      args: ['-c', 'trap "" HUP; echo ignoring; read line'],
      cwd: workspace,
    });
    await until(
      () => pane.screen().includes('ignoring'),
      () => pane.screen().join('\n'),
    );
    const exit = await registry.stop(pane.id);
    expect(exit.signal).toBe(9);
    expect(log.lines.some((l) => l.event === 'pane.stop.kill')).toBe(true);
  });

  it('reads the stall timeout at each start and kills every agent on disposeAll', async () => {
    let reads = 0;
    const { registry, workspace } = setup({
      stallTimeoutMs: () => {
        reads++;
        return 30_000;
      },
    });
    const a = await registry.start({ command: '/bin/sh', cwd: workspace });
    const b = await registry.start({ command: '/bin/sh', cwd: workspace });
    expect(reads).toBe(2);
    await registry.disposeAll();
    await Promise.all([a.supervised.pane.whenExited(), b.supervised.pane.whenExited()]);
    expect(registry.list()).toEqual([]);
    await expect(registry.start({ command: '/bin/sh', cwd: workspace })).rejects.toThrow(/closed/);
  });
});

describe('PaneRegistry.restart', () => {
  it('starts the agent again in the same pane (same id, new process) and reports it', async () => {
    const { registry, workspace, changes } = setup();
    const counter = path.join(workspace, 'runs');
    const pane = await registry.start({
      command: '/bin/sh',
      args: ['-c', `echo run >> ${counter}; exec sleep 30`],
      cwd: workspace,
    });
    const firstPid = pane.supervised.pane.pid;
    await until(
      () => existsSync(counter),
      () => 'first run',
    );
    const restarted = await registry.restart('p1');
    expect(restarted).toBe(pane);
    expect(pane.restarted).toBe(true);
    expect(pane.stoppedByUser).toBe(false);
    expect(pane.supervised.pane.pid).not.toBe(firstPid);
    await until(
      () => readFileSync(counter, 'utf8') === 'run\nrun\n',
      () => readFileSync(counter, 'utf8'),
    );
    expect(changes.map((c) => c.type)).toContain('restarted');
    expect(registry.list()).toEqual([pane]);
  });

  it('stop marks the pane as stopped by the user', async () => {
    const { registry, workspace } = setup();
    const pane = await registry.start({ command: '/bin/sh', cwd: workspace });
    await registry.stop(pane.id);
    expect(pane.stoppedByUser).toBe(true);
  });
});
