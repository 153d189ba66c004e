import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepare, stopStarted } from '../fixtures/agents-env/index.mjs';
import { buildCli } from '../unit/audit/builtCli';
import { OrchestratorRun } from './orchestratorRun';

// FleetAI's own MCP server given to the real Codex CLI 0.169.0 the way a user asks for it: a pane with
// `"fleet_mcp": true` in .fleetai/orchestrator.json, so `fleet orchestrator` adds the codex profile's `fleetMcp`
// arguments (`-c mcp_servers.fleetai.command=<node>`, `args=[<dist/cli.js>, "mcp-server", "--workspace", ...,
// "--pane", "codex"]`) and nobody edits ~/.codex/config.toml. The fake model scripts the turn: Codex 0.169
// exposes MCP tools as deferred namespaces reachable from its JavaScript `exec` tool, so the scripted turn is an
// `exec` call of `tools.mcp__fleetai__report_status(...)`, exactly what a real model sends. Everything is
// observed from outside: `fleet status --json`, the app log, the model's next request. The server Codex starts
// is dist/cli.js beside agents-config/ (`npm run package` first), the same CLI that runs the orchestrator.
let run: OrchestratorRun | undefined;
// The MCP server `claude mcp add` names is this checkout's CLI, bundled for the test.
let bundleDir: string;
let mcpCli: string;
beforeAll(async () => {
  bundleDir = mkdtempSync(path.join(tmpdir(), 'fleetai-mcp-codex-'));
  mcpCli = await buildCli(bundleDir);
}, 60_000);
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
afterEach(async () => {
  await run?.stop();
  run = undefined;
});

interface Status {
  panes: { id: string; state: string; reported?: { state: string; summary: string; progress?: number } }[];
  state: { panes: Record<string, { recent_actions: { action: string; detail: string }[] }> };
  pending_approvals: { id: string; pane: string; command?: string; source: string }[];
}

function codexWithFleetMcp(): Record<string, unknown> {
  // No env, no args: the pane id and the workspace reach the server through the profile's arguments.
  return { panes: [{ id: 'codex', agent: 'codex', command: 'CODEX', fleet_mcp: true }] };
}

describe('the real Codex CLI with FleetAI as an MCP server', () => {
  it('a model turn calling report_status shows in fleet status; request_approval waits for fleet approvals:approve', async () => {
    run = await OrchestratorRun.start(codexWithFleetMcp());
    await run.settled('awaiting_input');
    const launched = await run.waitForLog(
      (l) => l.event === 'pane.fleet_mcp',
      'the fleet MCP launch',
      10_000,
    );
    expect(launched.context).toMatchObject({ pane: 'codex', agent: 'codex' });

    run.server.script([
      {
        kind: 'tool_script',
        code: 'const r = await tools.mcp__fleetai__report_status({ state: "blocked", summary: "the schema needs a decision", progress: 30 });\ntext(r);',
      },
    ]);
    const sent = run.fleet('send', 'codex', 'Tell FleetAI where you are.');
    expect(sent.code, sent.stderr).toBe(0);
    const logged = await run.waitForLog(
      (l) => l.category === 'mcp-server' && l.event === 'mcp.report_status',
      'the MCP report',
      90_000,
    );
    expect(logged.context).toMatchObject({ pane: 'codex', state: 'blocked' });
    expect(logged.context?.code).toBeUndefined();
    const status = run.fleetJson<Status>('status');
    expect(status.panes.find((p) => p.id === 'codex')?.reported).toMatchObject({
      state: 'blocked',
      summary: 'the schema needs a decision',
      progress: 30,
    });
    expect(Object.values(status.state.panes).flatMap((m) => m.recent_actions)).toContainEqual(
      expect.objectContaining({ action: 'agent.report', detail: 'blocked 30%: the schema needs a decision' }),
    );
    // The tool's answer went back to the model in Codex's next request.
    const end = Date.now() + 30_000;
    while (!run.server.requests.some((r) => r.toolOutput?.includes('recorded')) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 200));
    expect(run.server.requests.map((r) => r.toolOutput ?? '').join('\n')).toContain('recorded');
    await run.settled('awaiting_input');

    run.server.script([
      {
        kind: 'tool_script',
        code: 'const r = await tools.mcp__fleetai__request_approval({ action: "drop the staging database", reason: "the migration rebuilds it", risk: "high", timeoutSeconds: 60 });\ntext(r);',
      },
    ]);
    expect(run.fleet('send', 'codex', 'Ask FleetAI before you drop the database.').code).toBe(0);
    let pending: Status['pending_approvals'][number] | undefined;
    const until = Date.now() + 90_000;
    while (!pending && Date.now() < until) {
      pending = run
        .fleetJson<Status['pending_approvals']>('approvals:list')
        .find((a) => a.command === 'drop the staging database');
      if (!pending) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pending).toMatchObject({ pane: 'codex', source: 'agent' });
    expect(run.fleet('approvals:approve', pending!.id).code).toBe(0);
    const answered = await run.waitForLog(
      (l) => l.category === 'mcp-server' && l.event === 'mcp.request_approval',
      'the approval answer',
      60_000,
    );
    expect(answered.context?.code).toBeUndefined();
    const end2 = Date.now() + 30_000;
    const approvedOutput = (): boolean =>
      run!.server.requests.some((r) => /\\?"decision\\?":\s*\\?"approve\\?"/.test(r.toolOutput ?? ''));
    while (!approvedOutput() && Date.now() < end2) await new Promise((r) => setTimeout(r, 200));
    expect(approvedOutput(), run.server.requests.map((r) => r.toolOutput ?? '').join('\n')).toBe(true);
  }, 240_000);
});

describe('the real Claude Code given FleetAI as an MCP server by its profile', () => {
  // A claude pane with `"fleet_mcp": true`: `fleet orchestrator` adds the claude profile's `--mcp-config <json>`
  // and Claude Code starts `fleet mcp-server --workspace <ws> --pane claude` itself, seen from outside in the
  // process list. A model turn calling the tool is not checked: the fake model's Anthropic side answers with a
  // Bash tool call or text only (tool_script is for the OpenAI Responses API), so it cannot call an MCP tool.
  it('a claude pane with fleet_mcp starts fleet mcp-server for its own pane, with no user file edited', async () => {
    mkdirSync(path.join(process.cwd(), 'test-results'), { recursive: true });
    const workdir = mkdtempSync(path.join(process.cwd(), 'test-results/fleetmcp-claude-pane-'));
    // FAKE_URL becomes the fake model's address when OrchestratorRun writes the config.
    const spec = prepare.claude({ baseUrl: 'FAKE_URL', workdir });
    try {
      run = await OrchestratorRun.start({
        panes: [
          {
            id: 'claude',
            agent: 'claude',
            command: spec.command,
            cwd: workdir,
            env: spec.env,
            fleet_mcp: true,
          },
        ],
      });
      const launched = await run.waitForLog(
        (l) => l.event === 'pane.fleet_mcp',
        'the fleet MCP launch',
        30_000,
      );
      expect(launched.context).toMatchObject({ pane: 'claude', agent: 'claude' });
      const workspace = run.workdir;
      const serverLine = (): string | undefined =>
        spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
          .stdout.split('\n')
          .find((l) => l.includes(' mcp-server ') && l.includes(`--pane claude`) && l.includes(workspace));
      const end = Date.now() + 90_000;
      while (!serverLine() && Date.now() < end) await new Promise((r) => setTimeout(r, 500));
      expect(serverLine(), run.stderr).toBeDefined();
      expect(serverLine()).toContain(`--workspace ${workspace}`);
      // The user's own Claude Code settings got no MCP server: it was handed over for this run only.
      expect(readFileSync(path.join(spec.configDir!, '.claude.json'), 'utf8')).not.toContain('fleetai');
      expect(existsSync(path.join(workdir, '.mcp.json'))).toBe(false);
    } finally {
      await run?.stop();
      run = undefined;
      await stopStarted(spec);
      spec.cleanup();
      rmSync(workdir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the real Claude Code with FleetAI as an MCP server', () => {
  // `claude mcp list` / `get` connect to each configured server and run the MCP handshake: the commands the docs
  // give (claude mcp add ... -- fleet mcp-server; --transport http with the bearer header) work as written.
  it('claude mcp add connects over stdio and over HTTP with the token; a wrong token shows the 401', async () => {
    mkdirSync(path.join(process.cwd(), 'test-results'), { recursive: true });
    const workdir = mkdtempSync(path.join(process.cwd(), 'test-results/fleetmcp-claude-'));
    const spec = prepare.claude({ baseUrl: 'http://127.0.0.1:9', workdir });
    const http = spawn(process.execPath, [mcpCli, 'mcp-server', '--http', '--workspace', workdir], {
      env: { PATH: process.env.PATH ?? '', FLEETAI_MCP_TOKEN: 'claude-test-token-0123456789' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        const timer = setTimeout(() => reject(new Error(`no address: ${stderr}`)), 15_000);
        http.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          const match = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      const claude = (...args: string[]) =>
        new Promise<string>((resolve) => {
          const child = spawn(spec.command, args, {
            cwd: workdir,
            env: spec.env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.on('close', () => resolve(out));
        });
      await claude(
        'mcp',
        'add',
        'fleetai',
        '-e',
        'FLEETAI_PANE_ID=claude',
        '--',
        process.execPath,
        mcpCli,
        'mcp-server',
        '--workspace',
        workdir,
      );
      await claude(
        'mcp',
        'add',
        '--transport',
        'http',
        'fleethttp',
        url,
        '--header',
        'Authorization: Bearer claude-test-token-0123456789',
        '--header',
        'X-FleetAI-Pane: claude',
      );
      await claude(
        'mcp',
        'add',
        '--transport',
        'http',
        'fleetwrong',
        url,
        '--header',
        'Authorization: Bearer wrong',
      );
      const list = await claude('mcp', 'list');
      expect(list).toMatch(/fleetai: .*mcp-server.* - ✔ Connected/);
      expect(list).toMatch(/fleethttp: http:\/\/127\.0\.0\.1:\d+\/mcp \(HTTP\) - ✔ Connected/);
      const wrong = await claude('mcp', 'get', 'fleetwrong');
      expect(wrong).toContain('401');
    } finally {
      http.kill('SIGTERM');
      await stopStarted(spec);
      spec.cleanup();
      rmSync(workdir, { recursive: true, force: true });
    }
  }, 120_000);
});
