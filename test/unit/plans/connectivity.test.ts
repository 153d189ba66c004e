import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunPlan, type DryRunCheck } from '../../../extension/core/plans/connectivity';
import type { PlanNodeInput } from '../../../extension/core/plans/planSchema';
import { validatePlan } from '../../../extension/core/plans/validatePlan';
import { repoRoot, useTempDirs } from '../helpers';
import { plan } from './planFixtures';

const tempDir = useTempDirs();
const builtinProfilesDir = path.join(repoRoot, 'agents-config');

/** A workspace and a PATH of its own holding only the programs named (empty scripts, executable). */
function setup(programs: string[]): { workspace: string; env: NodeJS.ProcessEnv } {
  const workspace = tempDir();
  const bin = path.join(tempDir(), 'bin');
  mkdirSync(bin);
  for (const name of programs) {
    writeFileSync(path.join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(bin, name), 0o755);
  }
  return { workspace, env: { PATH: bin } };
}

async function dryRun(nodes: PlanNodeInput[], workspace: string, env: NodeJS.ProcessEnv, locale?: 'zh-cn') {
  const result = validatePlan(
    plan([{ type: 'sequence', id: 'main', title: 'Main', children: nodes.map((n) => n.id) }, ...nodes]),
  );
  expect(result.problems).toEqual([]);
  return dryRunPlan(result.plan!, { workspace, env, builtinProfilesDir, ...(locale ? { locale } : {}) });
}

const summary = (checks: DryRunCheck[]) =>
  checks.map((c) => `${c.nodeId} ${c.path.slice(2).join('.')} ${c.check} ${c.status}`);

describe('dryRunPlan', () => {
  it('finds programs and shells on PATH and reports the missing ones, running nothing', async () => {
    const { workspace, env } = setup(['present', 'sh']);
    const marker = path.join(workspace, 'ran');
    const report = await dryRun(
      [
        {
          type: 'local_task',
          id: 'ok',
          title: 'OK',
          action: { kind: 'command', command: 'present', args: [marker] },
        },
        {
          type: 'local_task',
          id: 'missing',
          title: 'Missing',
          action: { kind: 'command', command: 'absent' },
        },
        {
          type: 'local_task',
          id: 'script',
          title: 'Script',
          action: { kind: 'script', script: `touch ${marker}` },
        },
        {
          type: 'local_task',
          id: 'bash',
          title: 'Bash',
          action: { kind: 'script', script: 'true', shell: 'bash' },
        },
        { type: 'local_task', id: 'wait', title: 'Wait', action: { kind: 'timer', seconds: 5 } },
      ],
      workspace,
      env,
    );
    expect(summary(report.checks)).toEqual([
      'ok action.command program ok',
      'missing action.command program error',
      'script action.shell program ok',
      'bash action.shell program error',
    ]);
    expect(report.checks[1]!.message).toBe('absent is not on PATH');
    expect(report.ok).toBe(false);
    expect(report.counts).toEqual({ ok: 2, warning: 0, error: 2, not_checked: 0 });
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('parses URLs without contacting them and checks the header variables are set', async () => {
    const { workspace, env } = setup([]);
    const report = await dryRun(
      [
        {
          type: 'external_service',
          id: 'github',
          title: 'GitHub',
          url: 'https://api.github.com/repos/x/y',
          headersFromEnv: { Authorization: 'GITHUB_AUTH', 'X-Trace': 'TRACE_ID' },
        },
        { type: 'local_task', id: 'bad', title: 'Bad', action: { kind: 'http', url: 'not a url' } },
        { type: 'local_task', id: 'ftp', title: 'FTP', action: { kind: 'http', url: 'ftp://example.com/x' } },
      ],
      workspace,
      { ...env, GITHUB_AUTH: 'token x' },
    );
    expect(summary(report.checks)).toEqual([
      'github url url ok',
      'github headersFromEnv.Authorization env ok',
      'github headersFromEnv.X-Trace env warning',
      'bad action.url url error',
      'ftp action.url url error',
    ]);
    expect(report.checks[0]!.message).toContain('not contacted');
  });

  it('checks an agent kind has a profile and its program is installed, and a pane is declared in orchestrator.json', async () => {
    const { workspace, env } = setup(['codex']);
    mkdirSync(path.join(workspace, '.fleetai'));
    writeFileSync(
      path.join(workspace, '.fleetai/orchestrator.json'),
      JSON.stringify({ panes: [{ id: 'api', agent: 'codex' }] }),
    );
    const agent = (id: string, target: unknown): PlanNodeInput =>
      ({ type: 'agent_invocation', id, title: id, agent: target, prompt: 'Do it' }) as PlanNodeInput;
    const report = await dryRun(
      [
        agent('codex', { type: 'kind', agentKind: 'codex' }),
        agent('claude', { type: 'kind', agentKind: 'claude' }),
        agent('typo', { type: 'kind', agentKind: 'codx' }),
        agent('api', { type: 'pane', paneId: 'api' }),
        agent('web', { type: 'pane', paneId: 'web' }),
        agent('reg', { type: 'registry', name: 'reviewer' }),
      ],
      workspace,
      env,
    );
    expect(summary(report.checks)).toEqual([
      'codex agent.agentKind agent_profile ok',
      'codex agent.agentKind agent_program ok',
      'claude agent.agentKind agent_profile ok',
      'claude agent.agentKind agent_program error',
      'typo agent.agentKind agent_profile error',
      'api agent.paneId pane ok',
      'web agent.paneId pane warning',
      'reg agent.name registry_agent not_checked',
    ]);
    expect(report.checks[3]!.message).toBe('Claude Code is not installed: claude is not on PATH');
    expect(report.checks[4]!.message).toContain(
      'no agent profile "codx" (known: aider, claude, codex, gemini, shell)',
    );
  });

  it('checks MCP server aliases against the servers config; tools only when asked to connect (real server-everything)', async () => {
    const { workspace, env } = setup([]);
    const nodes: PlanNodeInput[] = [
      {
        type: 'mcp_tool',
        id: 'echo',
        title: 'Echo',
        server: 'everything',
        tool: 'echo',
        arguments: { message: 'hi' },
      },
      { type: 'mcp_tool', id: 'typo', title: 'Typo', server: 'everything', tool: 'ecko' },
      { type: 'mcp_tool', id: 'other', title: 'Other', server: 'nowhere', tool: 'x' },
      { type: 'mcp_tool', id: 'bad', title: 'Bad entry', server: 'broken', tool: 'x' },
    ];
    const without = await dryRun(nodes, workspace, env);
    expect(summary(without.checks).filter((line) => line.includes('server'))).toEqual([
      'echo server mcp_server error',
      'typo server mcp_server error',
      'other server mcp_server error',
      'bad server mcp_server error',
    ]);
    expect(without.checks[0]!.message).toContain('(configured: none)');

    mkdirSync(path.join(workspace, '.fleetai'));
    writeFileSync(
      path.join(workspace, '.fleetai/mcp.servers.json'),
      JSON.stringify({
        servers: {
          everything: {
            command: process.execPath,
            args: [
              path.join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'),
              'stdio',
            ],
          },
          broken: { command: 42 },
        },
      }),
    );
    const configured = await dryRun(nodes, workspace, env);
    expect(summary(configured.checks)).toEqual([
      'echo server mcp_server ok',
      'echo tool mcp_tool not_checked',
      'typo server mcp_server ok',
      'typo tool mcp_tool not_checked',
      'other server mcp_server error',
      'other tool mcp_tool not_checked',
      'bad server mcp_server error',
      'bad tool mcp_tool not_checked',
    ]);
    expect(configured.checks[1]!.message).toContain('--check-mcp-tools');
    expect(configured.checks[4]!.message).toContain('no MCP server "nowhere"');
    expect(configured.checks[4]!.message).toContain('(configured: everything)');
    expect(configured.checks[6]!.message).toContain('broken');

    // Connecting: the real server is started and its tools listed.
    const result = validatePlan(
      plan([{ type: 'sequence', id: 'main', title: 'Main', children: nodes.map((n) => n.id) }, ...nodes]),
    );
    const connected = await dryRunPlan(result.plan!, {
      workspace,
      env,
      builtinProfilesDir,
      connectMcp: true,
    });
    expect(summary(connected.checks).slice(0, 4)).toEqual([
      'echo server mcp_server ok',
      'echo tool mcp_tool ok',
      'typo server mcp_server ok',
      'typo tool mcp_tool error',
    ]);
    expect(connected.checks[3]!.message).toContain('no tool "ecko"');
    expect(connected.checks[3]!.message).toContain('echo');
  }, 60_000);

  it('warns about files that do not exist yet and paths outside the workspace; answers in Chinese', async () => {
    const { workspace, env } = setup([]);
    writeFileSync(path.join(workspace, 'here.txt'), 'x');
    const report = await dryRun(
      [
        {
          type: 'local_task',
          id: 'read',
          title: 'Read',
          action: { kind: 'file', operation: 'read', path: 'here.txt' },
        },
        {
          type: 'local_task',
          id: 'copy',
          title: 'Copy',
          action: { kind: 'file', operation: 'copy', path: 'later.txt', to: '../out.txt' },
        },
      ],
      workspace,
      env,
      'zh-cn',
    );
    expect(summary(report.checks)).toEqual([
      'read action.path path ok',
      'copy action.to path warning',
      'copy action.path path warning',
    ]);
    expect(report.checks[1]!.message).toContain('在工作区之外');
    expect(report.ok).toBe(true);
  });
});
