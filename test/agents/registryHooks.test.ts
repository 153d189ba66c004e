import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../extension/core/observability/appLog';
import { PaneRegistry } from '../../extension/core/panes/paneRegistry';
import { nodePtyHost } from '../../extension/core/panes/ptyHost';
import { prepare, startedPids, stopStarted, type AgentSpec } from '../fixtures/agents-env/index.mjs';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';
import { cli } from './harness';

// The pane registry (what a VS Code window and `fleet orchestrator` run) starts the real Claude Code 2.1.329
// with FleetAI's hooks, the hooks run the built `dist/cli.js hook`, and an approval read from a hook is
// answered with the profile's keys.

let server: FakeModelServer | undefined;
let spec: AgentSpec | undefined;
let registry: PaneRegistry | undefined;
let workdir: string | undefined;

afterEach(async () => {
  await registry?.disposeAll();
  if (spec) {
    await stopStarted(spec);
    spec.cleanup();
  }
  await server?.close();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
  registry = spec = server = workdir = undefined;
});

function hookSocketOf(s: AgentSpec): string {
  for (const pid of startedPids(s)) {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const socket = env.find((kv) => kv.startsWith('FLEETAI_HOOK_SOCKET='));
    if (socket) return socket.slice('FLEETAI_HOOK_SOCKET='.length);
  }
  throw new Error('no process with FLEETAI_HOOK_SOCKET');
}

describe('PaneRegistry with the real Claude Code and hooks', () => {
  it('ready from SessionStart, an approval from PermissionRequest answered with the profile keys, idle from Stop', async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
    server = await startFakeModel();
    const root = path.resolve('test-results/agents-env');
    mkdirSync(root, { recursive: true });
    workdir = path.join(root, `claude-registry-${process.pid}-${Date.now()}`);
    spec = prepare.claude({ baseUrl: server.url, workdir, root });
    const log = createMemoryLog();
    registry = new PaneRegistry({
      builtinProfilesDir: path.resolve('agents-config'),
      ptyHost: nodePtyHost(),
      log,
      headless: true,
      env: () => ({ ...spec?.env }),
    });
    const pane = await registry.start({
      kind: 'claude',
      command: spec.command,
      cwd: workdir,
      cols: 120,
      rows: 40,
    });
    const ready = await registry.waitForState(pane.id, 'awaiting_input', 60_000);
    expect(ready.reason).toBe('Claude Code hook SessionStart: session startup, ready for input');

    expect(await registry.send(pane.id, 'fake:approval Create the file approved.txt.')).toBe(true);
    const approval = await registry.waitForState(pane.id, 'awaiting_approval', 60_000);
    expect(approval.approval).toMatchObject({
      kind: 'command',
      source: 'hook',
      command: 'touch approved.txt',
    });
    // The prompt is drawn once the hook has answered; the keys must reach the drawn prompt.
    const end = Date.now() + 20_000;
    while (!pane.screen().some((l) => l.includes('Do you want to proceed?'))) {
      if (Date.now() > end) throw new Error(`no prompt on screen:\n${pane.screen().join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await pane.supervised.answerApproval('approve')).toEqual({ via: 'keys', keys: '1' });
    const idle = await registry.waitForState(pane.id, 'awaiting_input', 60_000);
    expect(idle.reason).toBe('Claude Code hook Stop: the turn finished');
    expect(existsSync(path.join(workdir, 'approved.txt'))).toBe(true);
    expect(
      log.lines.filter((l) => l.event === 'hook.received').map((l) => (l.context as { event: string }).event),
    ).toEqual(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']);

    // Closing the registry closes the listener and removes its folder.
    const socket = hookSocketOf(spec);
    expect(existsSync(socket)).toBe(true);
    await registry.disposeAll();
    expect(existsSync(path.dirname(socket))).toBe(false);
  });
});
