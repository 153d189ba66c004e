import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorCheck, type DoctorReport } from '../../../extension/core/doctor/doctor';
import { shellNeeds } from '../../../extension/core/doctor/orchestratorChecks';
import { workspacePaths, type WorkspacePaths } from '../../../extension/core/workspacePaths';
import { repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const builtinProfilesDir = path.join(repoRoot, 'agents-config');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function executable(dir: string, name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

function workspace(config?: string): { ws: string; paths: WorkspacePaths } {
  const ws = tempDir();
  const paths = workspacePaths(ws);
  mkdirSync(paths.stateDir, { recursive: true });
  if (config !== undefined) writeFileSync(paths.orchestratorConfig, config);
  return { ws, paths };
}

async function doctor(
  paths: WorkspacePaths,
  options: { env?: NodeJS.ProcessEnv; pathEnv?: string; networkTimeoutMs?: number } = {},
): Promise<DoctorReport & { byId: Map<string, DoctorCheck> }> {
  const report = await runDoctor({
    workspace: paths,
    builtinProfilesDir,
    env: options.env ?? {},
    pathEnv: options.pathEnv ?? '',
    networkTimeoutMs: options.networkTimeoutMs ?? 3000,
  });
  return { ...report, byId: new Map(report.checks.map((c) => [c.id, c])) };
}

/** A real HTTP server on 127.0.0.1 that records every request. */
async function httpServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ port: number; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, requests };
}

/** A TCP port on 127.0.0.1 where nothing listens (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor: the orchestrator config', () => {
  it('without a config file: defaults, no model, no supervisor running', async () => {
    const { paths } = workspace();
    const report = await doctor(paths);
    expect(report.byId.get('config')).toEqual({
      id: 'config',
      status: 'ok',
      summary: `no ${paths.orchestratorConfig}: the defaults apply`,
    });
    expect(report.byId.get('model')?.status).toBe('ok');
    expect(report.byId.get('env:WECOM_WEBHOOK')).toMatchObject({
      status: 'warn',
      summary: 'WECOM_WEBHOOK is not set: WeCom notifications are off',
    });
    expect(report.byId.get('control')).toEqual({
      id: 'control',
      status: 'ok',
      summary: `no supervisor running (nothing at ${path.join(paths.stateDir, 'control.sock')})`,
    });
    expect(report.ok).toBe(true);
  });

  it('an invalid config fails with the exact error, line:column and field', async () => {
    const { paths } = workspace(
      '{\n  "panes": [ { "id": "a", "agent": "codex" } ],\n  "tasks": [ { "id": "t", "title": "T", "pane": "b" } ]\n}\n',
    );
    const report = await doctor(paths);
    expect(report.byId.get('config')).toEqual({
      id: 'config',
      status: 'fail',
      summary: `${paths.orchestratorConfig} is not valid (E_CONFIG_REFERENCE)`,
      detail: `${paths.orchestratorConfig}:3:49: tasks[0].pane: no pane with id "b"`,
    });
    expect(report.byId.has('control')).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('names every problem of a broken file, and JSON errors with their position', async () => {
    const { paths } = workspace('{ "dry_run": "yes", "metrics_port": -1 }');
    const check = (await doctor(paths)).byId.get('config');
    expect(check?.summary).toContain('(E_CONFIG_SCHEMA)');
    expect(check?.detail?.split('\n      ')).toEqual([
      expect.stringMatching(new RegExp(`^${paths.orchestratorConfig}:1:14: dry_run: `)),
      expect.stringMatching(new RegExp(`^${paths.orchestratorConfig}:1:37: metrics_port: `)),
    ]);
    writeFileSync(paths.orchestratorConfig, '{ "dry_run": true,, }');
    expect((await doctor(paths)).byId.get('config')?.detail).toBe(
      `${paths.orchestratorConfig}:1:19: property name expected`,
    );
  });

  it('a prompt file the config names must be readable (relative to the config file)', async () => {
    const { paths } = workspace(
      '{ "prompts": { "planning": "prompts/plan.md", "summary": "prompts/sum.md" } }',
    );
    mkdirSync(path.join(paths.root, 'prompts'));
    writeFileSync(path.join(paths.root, 'prompts', 'plan.md'), 'Plan {{task}}');
    const report = await doctor(paths);
    expect(report.byId.get('prompt:planning')?.status).toBe('ok');
    expect(report.byId.get('prompt:summary')).toMatchObject({
      status: 'fail',
      summary: `prompts.summary: cannot read ${path.join(paths.root, 'prompts', 'sum.md')}`,
    });
  });
});

describe('doctor: the programs the configured panes start', () => {
  it("checks agents.<kind>.bin, else the profile's command, for the panes that use them", async () => {
    const bin = tempDir();
    const codex = executable(bin, 'my-codex');
    const { paths } = workspace(`{
      "agents": { "codex": { "bin": ${JSON.stringify(codex)} } },
      "panes": [
        { "id": "api", "agent": "codex" }, { "id": "web", "agent": "codex" },
        { "id": "docs", "agent": "claude" },
        { "id": "x", "agent": "mystery" }
      ]
    }`);
    const report = await doctor(paths, { pathEnv: bin });
    expect(report.byId.get('config.agent:codex')).toEqual({
      id: 'config.agent:codex',
      status: 'ok',
      summary: `codex for panes api, web: ${codex} found at ${codex}`,
    });
    expect(report.byId.get('config.agent:claude')).toMatchObject({
      status: 'fail',
      summary: 'claude for pane docs: claude is not installed (not on PATH)',
    });
    expect(report.byId.get('config.agent:mystery')).toMatchObject({
      status: 'fail',
      summary: 'agent kind "mystery" for pane x: no agents.mystery.bin and no profile of that kind',
    });
    expect(report.ok).toBe(false);

    executable(bin, 'claude');
    const again = await doctor(paths, { pathEnv: bin });
    expect(again.byId.get('config.agent:claude')?.status).toBe('ok');
  });

  it("seed 003's bin: a shell command line whose sourced file and programs are checked", async () => {
    const bin = tempDir();
    const home = tempDir();
    const { paths } = workspace(`{
      "agents": { "codex": { "bin": ". ~/.proxy-on.sh && proxychains4 -q codex",
                             "extra_args": ["--dangerously-bypass-approvals-and-sandbox"] } },
      "panes": [ { "id": "bot", "agent": "codex", "branch": "weather/bot" } ]
    }`);
    const missing = await doctor(paths, { pathEnv: bin, env: { HOME: home } });
    expect(missing.byId.get('config.agent:codex')).toMatchObject({
      status: 'fail',
      summary:
        'codex for pane bot: ~/.proxy-on.sh (sourced) does not exist; proxychains4 is not installed; codex is not installed',
      detail: 'shell command line: . ~/.proxy-on.sh && proxychains4 -q codex',
    });

    writeFileSync(path.join(home, '.proxy-on.sh'), 'export HTTPS_PROXY=http://127.0.0.1:7890\n');
    const proxychains = executable(bin, 'proxychains4');
    const codex = executable(bin, 'codex');
    const present = await doctor(paths, { pathEnv: bin, env: { HOME: home } });
    expect(present.byId.get('config.agent:codex')).toMatchObject({
      status: 'ok',
      summary: `codex for pane bot: ~/.proxy-on.sh exists, proxychains4 at ${proxychains}, codex at ${codex}`,
    });
  });

  it("a pane's own command is found relative to the pane's cwd", async () => {
    const { ws, paths } = workspace(
      `{ "panes": [ { "id": "s", "agent": "shell", "command": "./run-agent.sh", "cwd": "tools" } ] }`,
    );
    mkdirSync(path.join(ws, 'tools'));
    const report = await doctor(paths, { pathEnv: '' });
    expect(report.byId.get('config.pane:s')).toMatchObject({
      status: 'fail',
      summary: `pane s: ./run-agent.sh is not installed (not on PATH or not at ${path.join(ws, 'tools', 'run-agent.sh')})`,
    });
    const script = executable(path.join(ws, 'tools'), 'run-agent.sh');
    expect((await doctor(paths)).byId.get('config.pane:s')?.summary).toBe(
      `pane s: ./run-agent.sh found at ${script}`,
    );
  });
});

describe('shellNeeds', () => {
  it('reads assignments, env, exec, built-ins and pipes', () => {
    const env = { HOME: '/home/u' };
    expect(shellNeeds('A=1 B=2 exec nice -n 5 codex --yolo | tee log', ['codex'], env)).toEqual([
      { kind: 'program', name: 'nice' },
      { kind: 'program', name: 'codex' },
      { kind: 'program', name: 'tee' },
    ]);
    expect(shellNeeds('cd work; env -i PATH=/bin ~/bin/claude', ['claude'], env)).toEqual([
      { kind: 'program', name: '/home/u/bin/claude' },
    ]);
    expect(shellNeeds('source "~/.env" && $HOME/codex', ['codex'], env)).toEqual([
      { kind: 'file', path: '/home/u/.env', shown: '~/.env' },
    ]);
  });
});

describe('doctor: environment variables and endpoints', () => {
  it('a reachable model endpoint: GET <base_url>/models with the key, which is never printed', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'fleet-model' }, { id: 'other' }] }));
    });
    const base = `http://127.0.0.1:${server.port}/v1`;
    const { paths } = workspace(
      `{ "model": { "base_url": "${base}/", "model": "fleet-model", "api_key_env": "FLEET_TEST_KEY" } }`,
    );
    const report = await doctor(paths, { env: { FLEET_TEST_KEY: 'sk-very-secret-1234' } });
    expect(report.byId.get('env:FLEET_TEST_KEY')).toMatchObject({
      status: 'ok',
      summary: 'FLEET_TEST_KEY is set (model API key)',
    });
    expect(report.byId.get('model.endpoint')).toEqual({
      id: 'model.endpoint',
      status: 'ok',
      summary: `model endpoint ${base}/models is reachable (HTTP 200)`,
    });
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['GET', '/v1/models', 'Bearer sk-very-secret-1234'],
    ]);
    expect(JSON.stringify(report.checks)).not.toContain('sk-very-secret');
  });

  it('warns when the endpoint does not offer the model, refuses the key, or answers 404', async () => {
    let status = 200;
    const server = await httpServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { data: [{ id: 'a' }, { id: 'b' }] } : { error: 'no' }));
    });
    const base = `http://127.0.0.1:${server.port}/v1`;
    const { paths } = workspace(`{ "model": { "base_url": "${base}", "model": "gpt-typo" } }`);
    const notOffered = (await doctor(paths, { env: { OPENAI_API_KEY: 'k' } })).byId.get('model.endpoint');
    expect(notOffered).toEqual({
      id: 'model.endpoint',
      status: 'warn',
      summary: `model endpoint ${base}/models is reachable but does not offer model "gpt-typo"`,
      detail: 'offered: a, b',
    });
    status = 401;
    const refused = await doctor(paths, { env: { OPENAI_API_KEY: 'k' } });
    expect(refused.byId.get('model.endpoint')?.summary).toBe(
      `model endpoint ${base}/models answered HTTP 401: the key in OPENAI_API_KEY was refused`,
    );
    const noKey = await doctor(paths);
    expect(noKey.byId.get('env:OPENAI_API_KEY')).toMatchObject({
      status: 'warn',
      summary: 'OPENAI_API_KEY is not set: requests to the model carry no API key',
    });
    expect(noKey.byId.get('model.endpoint')?.summary).toContain('it wants a key in OPENAI_API_KEY');
    status = 404;
    expect((await doctor(paths)).byId.get('model.endpoint')).toMatchObject({
      status: 'warn',
      summary: `model endpoint ${base}/models answered HTTP 404`,
    });
  });

  it('an unreachable model endpoint (closed port) is a warning naming the URL, without its credentials', async () => {
    const port = await closedPort();
    const { paths } = workspace(`{ "model": { "base_url": "http://user:pw@127.0.0.1:${port}/v1?x=1" } }`);
    const report = await doctor(paths, { env: { OPENAI_API_KEY: 'k' } });
    const check = report.byId.get('model.endpoint');
    expect(check?.status).toBe('warn');
    expect(check?.summary).toMatch(
      new RegExp(`^model endpoint unreachable: GET http://127\\.0\\.0\\.1:${port}/v1/models: ECONNREFUSED`),
    );
    expect(JSON.stringify(report.checks)).not.toContain('pw@');
    // A warning: the supervisor still runs by its rules without the model.
    expect(report.ok).toBe(true);
  });

  it('a model endpoint that accepts but never answers is unreachable after the deadline', async () => {
    const server = await httpServer(() => undefined);
    const { paths } = workspace(`{ "model": { "base_url": "http://127.0.0.1:${server.port}/v1" } }`);
    const check = (await doctor(paths, { networkTimeoutMs: 300 })).byId.get('model.endpoint');
    expect(check).toMatchObject({ status: 'warn' });
    expect(check?.summary).toMatch(/: no answer within 300 ms$/);
    expect(server.requests).toHaveLength(1);
  });

  it('webhooks: the host is reached by TCP only (no request is sent) and the URL key is never printed', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const { paths } = workspace(
      '{ "notify": { "slack_webhook_env": "SLACK_URL", "webhook_url_env": "HOOK_URL" } }',
    );
    const port = await closedPort();
    const env = {
      WECOM_WEBHOOK: `http://127.0.0.1:${server.port}/cgi-bin/webhook/send?key=wecom-secret-key`,
      SLACK_URL: `http://127.0.0.1:${port}/services/T000/B000/slack-secret`,
      HOOK_URL: 'not a url',
    };
    const report = await doctor(paths, { env });
    expect(report.byId.get('env:WECOM_WEBHOOK')).toMatchObject({
      status: 'ok',
      summary: 'WECOM_WEBHOOK is set (WeCom notifications)',
    });
    expect(report.byId.get('webhook:WECOM_WEBHOOK')).toMatchObject({
      status: 'ok',
      summary: `WeCom webhook host 127.0.0.1:${server.port} accepts connections`,
    });
    expect(report.byId.get('webhook:SLACK_URL')).toMatchObject({
      status: 'warn',
      summary: `Slack webhook host 127.0.0.1:${port} is unreachable: ECONNREFUSED connecting to 127.0.0.1:${port}`,
    });
    expect(report.byId.get('env:HOOK_URL')).toMatchObject({
      status: 'warn',
      summary: 'HOOK_URL is set but is not an http(s) URL',
    });
    expect(report.byId.has('webhook:HOOK_URL')).toBe(false);
    // Never a message: the server saw a connection but not one HTTP request.
    expect(server.requests).toHaveLength(0);
    const printed = JSON.stringify(report.checks);
    for (const secret of ['wecom-secret-key', 'slack-secret', 'not a url'])
      expect(printed).not.toContain(secret);
  });

  it('a webhook host that does not resolve is a warning naming the host', async () => {
    const { paths } = workspace();
    const report = await doctor(paths, { env: { WECOM_WEBHOOK: 'https://no-such-host.invalid/send?key=x' } });
    const check = report.byId.get('webhook:WECOM_WEBHOOK');
    expect(check?.status).toBe('warn');
    expect(check?.summary).toMatch(/^WeCom webhook host no-such-host\.invalid is unreachable: /);
  });

  it('mentions a proxy the direct probe did not use', async () => {
    const port = await closedPort();
    const { paths } = workspace();
    const report = await doctor(paths, {
      env: { WECOM_WEBHOOK: `http://127.0.0.1:${port}/x`, HTTPS_PROXY: 'http://127.0.0.1:7890' },
    });
    expect(report.byId.get('webhook:WECOM_WEBHOOK')?.detail).toBe(
      'this check connects directly; HTTPS_PROXY is set and was not used',
    );
  });
});

describe('doctor: the control socket', () => {
  /** A process that listens on `socket`; SIGKILL leaves the socket file behind, as a crash does. */
  async function listener(socket: string): Promise<{ pid: number; kill: () => Promise<void> }> {
    const child = spawn(
      process.execPath,
      ['-e', `require('net').createServer(()=>{}).listen(${JSON.stringify(socket)},()=>console.log('up'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const kill = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    };
    cleanups.push(kill);
    await once(child.stdout, 'data');
    return { pid: child.pid!, kill };
  }

  it('a running supervisor is ok; after it is killed its control file and socket are stale', async () => {
    const { ws, paths } = workspace();
    const socket = path.join(paths.stateDir, 'control.sock');
    const supervisor = await listener(socket);
    const controlFile = path.join(paths.stateDir, 'control.json');
    writeFileSync(
      controlFile,
      JSON.stringify({
        socket,
        token: 't0k3n',
        pid: supervisor.pid,
        started_at: '2026-11-21T08:00:00.000Z',
        workspace: ws,
      }),
    );
    const running = (await doctor(paths)).byId.get('control');
    expect(running).toEqual({
      id: 'control',
      status: 'ok',
      summary: `a supervisor is running (pid ${supervisor.pid}, started 2026-11-21T08:00:00.000Z), listening at ${socket}`,
    });

    await supervisor.kill();
    expect(existsSync(socket)).toBe(true);
    const stale = (await doctor(paths)).byId.get('control');
    expect(stale).toMatchObject({
      status: 'warn',
      summary: `stale control file: the supervisor of ${controlFile} (pid ${supervisor.pid}, started 2026-11-21T08:00:00.000Z) does not answer at ${socket}`,
      detail: `connection refused; process ${supervisor.pid} is gone; the next supervisor start replaces the file`,
    });
    expect(JSON.stringify(stale)).not.toContain('t0k3n');
  });

  it('a socket file with no control file and nobody listening is stale; the configured path is used', async () => {
    const { paths } = workspace('{ "control": { "socket": "run/fleet.sock" } }');
    const socket = path.join(paths.root, 'run', 'fleet.sock');
    mkdirSync(path.dirname(socket));
    const supervisor = await listener(socket);
    await supervisor.kill();
    expect((await doctor(paths)).byId.get('control')).toMatchObject({
      status: 'warn',
      summary: `stale control socket ${socket}: nothing listens (left by a supervisor that did not exit cleanly)`,
    });
  });
});

describe('fleet doctor (in process)', () => {
  it('prints the config error under its line and exits 1', async () => {
    const { ws, paths } = workspace('{ "tasks": [ { "id": "a", "title": "A", "depends_on": ["a"] } ] }');
    const { createProgram } = await import('../../../extension/cli/program');
    let out = '';
    const saved = process.exitCode;
    try {
      await createProgram({ out: (t) => (out += t), err: () => undefined }).parseAsync(['doctor', '-w', ws], {
        from: 'user',
      });
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = saved;
    }
    expect(out).toContain(
      `FAIL  ${paths.orchestratorConfig} is not valid (E_CONFIG_REFERENCE)\n` +
        `      ${paths.orchestratorConfig}:1:55: tasks[0].depends_on: dependency cycle: a -> a\n`,
    );
    expect(out).toMatch(/^ok {4}no supervisor running/m);
  });
});
