import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callControl, readControlFile } from '../../../extension/core/control/controlClient';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { buildCli } from '../audit/builtCli';
import { everythingStdio, until, writeWorkspaceServers } from './mcpFixtures';

// `fleet mcp:*` as a person runs them: the CLI bundled the way the package ships it, against the real
// server-everything over stdio; first with no supervisor (the CLI's own bridge), then through a real headless
// supervisor started in this process (its one shared session, its approvals for a risky tool).
let dir: string;
let cli: string;
let workspace: string;
let running: HeadlessOrchestrator | undefined;
const supervisorLog = createMemoryLog();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-mcp-cli-'));
  cli = await buildCli(dir);
  workspace = path.join(dir, 'ws');
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({
      tick_seconds: 1,
      heartbeat_seconds: 1,
      metrics_port: 0,
      panes: [{ id: 'worker', agent: 'shell', command: 'sh' }],
    }),
  );
  writeWorkspaceServers(workspace, {
    everything: everythingStdio({ toolRisk: { 'get-sum': 'high' } }),
    // A bad entry (no command nor url) names itself; the good one still works.
    broken: { args: ['x'] },
    // A server that never starts: what a call waiting for it ends with.
    gone: { command: '/nonexistent/mcp-server-binary' },
  });
}, 60_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function fleet(
  args: string[],
  env: Record<string, string> = {},
): { done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [cli, ...args, '--workspace', workspace], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANG: 'C', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return { done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))) };
}

const run = (args: string[], env?: Record<string, string>) => fleet(args, env).done;

describe('fleet mcp:* without a running supervisor (a bridge of its own)', () => {
  it('mcp:list connects the servers and shows state, transport and tools; the broken entry names its problem', async () => {
    const result = await run(['mcp:list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as {
      via: string;
      value: { alias: string; state: string; transport: string; tools: number; lastError?: string }[];
    };
    expect(answer.via).toBe('own');
    const byAlias = new Map(answer.value.map((s) => [s.alias, s]));
    expect(byAlias.get('everything')).toMatchObject({ state: 'connected', transport: 'stdio' });
    expect(byAlias.get('everything')!.tools).toBeGreaterThan(5);
    expect(byAlias.get('broken')).toMatchObject({ state: 'broken' });
    expect(byAlias.get('broken')!.lastError).toContain('broken');

    const text = await run(['mcp:list']);
    expect(text.stdout).toMatch(
      /^everything {2}connected {2}stdio {2}\d+ tools {2}\d+ resources {2}\d+ prompts/m,
    );
  }, 30_000);

  it('mcp:tools lists the tools with their risk; mcp:call calls one and prints its text', async () => {
    const tools = await run(['mcp:tools', 'everything']);
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toMatch(/^echo {2}\[low\]/m);
    expect(tools.stdout).toMatch(/^get-sum {2}\[high\]/m);

    const call = await run(['mcp:call', 'everything', 'echo', '--args', '{"message":"hi from the cli"}']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toContain('Echo: hi from the cli');
    // Logged in the workspace's app log by the CLI's own bridge.
    const lines = readFileSync(workspacePaths(workspace).appLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; context?: { tool?: string } });
    expect(lines.some((l) => l.event === 'mcp.tool.invoke' && l.context?.tool === 'echo')).toBe(true);
  }, 30_000);

  it('names the alias, the tool and the bad JSON; refuses a risky tool naming its risk', async () => {
    const bad = await run(['mcp:call', 'everything', 'echo', '--args', '{message:']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--args for everything/echo is not valid JSON');
    expect(bad.stderr).toContain('E_MCP_ARGS');
    const zh = await run(['mcp:call', 'everything', 'echo', '--args', '[1]'], { FLEETAI_LOCALE: 'zh-CN' });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('everything/echo 的 --args 必须是 JSON 对象');

    const unknownTool = await run(['mcp:call', 'everything', 'nope', '--json']);
    expect(unknownTool.code).toBe(1);
    expect(JSON.parse(unknownTool.stdout)).toMatchObject({
      ok: false,
      error: { code: 'E_MCP_UNKNOWN_TOOL' },
    });
    expect(unknownTool.stderr).toContain('server "everything" has no tool "nope"');

    const unknownServer = await run(['mcp:tools', 'nowhere']);
    expect(unknownServer.code).toBe(1);
    expect(unknownServer.stderr).toContain('no MCP server "nowhere"');

    // The CLI's own bridge: its process stays up for the whole wait, then says why it gave up.
    const waited = await run(['mcp:call', 'gone', 'echo', '--wait', '2', '--json']);
    expect(waited.code, waited.stderr).toBe(1);
    expect(JSON.parse(waited.stdout)).toMatchObject({ ok: false, error: { code: 'E_MCP_DISCONNECTED' } });
    expect(waited.stderr).toMatch(/MCP server "gone" is reconnecting after waiting 2(\.\d)? s/);
    expect(waited.stderr).toContain('next attempt in');

    const risky = await run(['mcp:call', 'everything', 'get-sum', '--args', '{"a":1,"b":2}']);
    expect(risky.code).toBe(1);
    expect(risky.stderr).toContain('E_MCP_APPROVAL_REQUIRED');
    expect(risky.stderr).toContain('"get-sum" of MCP server "everything" is rated high');
  }, 60_000);
});

describe('fleet mcp:* with a running headless supervisor (its shared session)', () => {
  beforeAll(async () => {
    const paths = workspacePaths(workspace);
    running = await startHeadlessOrchestrator({
      configFile: paths.orchestratorConfig,
      workspace,
      paths,
      builtinProfilesDir: path.resolve('agents-config'),
      log: supervisorLog,
    });
    // The supervisor connects every configured server at start.
    await until(() => running!.mcpBridge.state('everything') === 'connected', 20_000, 'supervisor connected');
  }, 60_000);

  it('answers mcp:list and mcp:call through the supervisor, on its one session', async () => {
    const pid = running!.mcpBridge.status('everything').pid;
    const list = await run(['mcp:list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const answer = JSON.parse(list.stdout) as { via: string; value: { alias: string; state: string }[] };
    expect(answer.via).toBe('supervisor');
    expect(answer.value.find((s) => s.alias === 'everything')?.state).toBe('connected');

    const call = await run([
      'mcp:call',
      'everything',
      'echo',
      '--args',
      '{"message":"via the supervisor"}',
      '--json',
    ]);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({ ok: true, via: 'supervisor' });
    expect(call.stdout).toContain('Echo: via the supervisor');
    expect(running!.mcpBridge.status('everything').pid).toBe(pid);
    expect(
      (supervisorLog.lines as { event: string; context?: { tool?: string } }[]).some(
        (l) => l.event === 'mcp.tool.invoke' && l.context?.tool === 'echo',
      ),
    ).toBe(true);
  }, 30_000);

  it('a risky tool waits for a decision in the approvals store: approved runs, denied is refused', async () => {
    const control = await readControlFile(path.join(workspacePaths(workspace).stateDir, 'control.json'));
    const decideNext = async (decision: 'approve' | 'deny'): Promise<void> => {
      let id: string | undefined;
      const deadline = Date.now() + 20_000;
      while (id === undefined && Date.now() < deadline) {
        const pending = await callControl(control!, 'approvals.list');
        if (pending.ok)
          id = (pending.value as { id: string; pane: string }[]).find((r) => r.pane === 'mcp:everything')?.id;
        if (id === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(id, 'approval request filed').toBeDefined();
      const decided = await callControl(control!, 'approvals.decide', { id: id!, decision });
      expect(decided.ok).toBe(true);
    };

    const approved = fleet(['mcp:call', 'everything', 'get-sum', '--args', '{"a":2,"b":3}']);
    await decideNext('approve');
    const result = await approved.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('5');

    const denied = fleet(['mcp:call', 'everything', 'get-sum', '--args', '{"a":2,"b":3}']);
    await decideNext('deny');
    const refused = await denied.done;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('E_MCP_DENIED');
  }, 60_000);

  it('mcp:reconnect drops the session and connects again', async () => {
    const before = running!.mcpBridge.status('everything').pid;
    const result = await run(['mcp:reconnect', 'everything', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ via: 'supervisor', value: { state: 'connected' } });
    expect(running!.mcpBridge.status('everything').pid).not.toBe(before);
  }, 30_000);

  it('mcp:call --wait rides out a restart of the server (the supervisor reconnects after its 5 s backoff)', async () => {
    const bad = await run(['mcp:call', 'everything', 'echo', '--wait', 'soon']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--wait must be a number of seconds from 0 to 3600, got "soon"');

    const pid = running!.mcpBridge.status('everything').pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => running!.mcpBridge.state('everything') === 'reconnecting', 10_000, 'reconnecting');
    const call = await run([
      'mcp:call',
      'everything',
      'echo',
      '--args',
      '{"message":"after the restart"}',
      '--wait',
      '60',
      '--json',
    ]);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({ ok: true, via: 'supervisor' });
    expect(call.stdout).toContain('Echo: after the restart');
    expect(running!.mcpBridge.status('everything').pid).not.toBe(pid);
  }, 90_000);
});
