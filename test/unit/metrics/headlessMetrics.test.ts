import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrchestratorCli } from '../../../extension/cli/orchestratorCli';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { freePort } from '../../vscode/codeServer.mjs';

// The real headless supervisor (pane registry over node-pty, a `sh` pane, the workspace's approvals store) with
// its exporter, started in this process.
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function workspaceWith(config: Record<string, unknown>): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-metrics-'));
  cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({
      heartbeat_seconds: 1,
      panes: [{ id: 'worker', agent: 'shell', command: 'sh', branch: 'feature/x' }],
      ...config,
    }),
  );
  return workspace;
}

async function start(
  workspace: string,
  metrics?: { port?: number; host?: string },
): Promise<{ running: HeadlessOrchestrator; log: ReturnType<typeof createMemoryLog> }> {
  const paths = workspacePaths(workspace);
  const log = createMemoryLog();
  const running = await startHeadlessOrchestrator({
    configFile: paths.orchestratorConfig,
    workspace,
    paths,
    builtinProfilesDir: path.resolve('agents-config'),
    log,
    ...(metrics ? { metrics } : {}),
  });
  cleanup.push(() => running.stop());
  return { running, log };
}

/** A port free right now (the exporter's port 0 means "none", so a test picks one). */

describe('fleet orchestrator with the exporter', () => {
  it('serves the live state of the supervisor on the port given by --metrics-port, and closes it on stop', async () => {
    const workspace = workspaceWith({ metrics_port: 0 });
    const port = await freePort();
    const { running } = await start(workspace, { port });
    const url = running.metrics?.url;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    let text = '';
    const deadline = Date.now() + 30_000;
    // The sh pane reaches awaiting_input by itself; poll, never sleep a fixed time.
    while (Date.now() < deadline) {
      text = await (await fetch(`${url}/metrics`)).text();
      if (text.includes('orchestrator_panes{state="awaiting_input"} 1')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(text).toContain('orchestrator_panes{state="awaiting_input"} 1');
    expect(text).toContain('orchestrator_queue_size{branch="feature/x"} 0');
    expect(text).toMatch(/^orchestrator_heartbeat_timestamp_seconds \d{10}/m);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { ok: boolean; panes: number };
    expect(health).toMatchObject({ ok: true, panes: 1 });
    await running.stop();
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });

  it('runs on without an exporter when its port is taken, with the reason naming the port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const workspace = workspaceWith({ metrics_port: port });
    const { running, log } = await start(workspace);
    expect(running.metrics).toBeUndefined();
    expect(running.metricsError?.message).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(running.metricsError?.message).toContain(workspacePaths(workspace).orchestratorConfig);
    expect(log.lines.some((l) => l.event === 'metrics.listen.failed')).toBe(true);
    expect(running.registry.list().map((p) => p.id)).toEqual(['worker']);
  });

  it('metrics_port 0 starts no exporter', async () => {
    const { running } = await start(workspaceWith({ metrics_port: 0 }));
    expect(running.metrics).toBeUndefined();
    expect(running.metricsError).toBeUndefined();
  });

  it('refuses a bad --metrics-port or an empty --metrics-host before starting anything', async () => {
    const workspace = workspaceWith({ metrics_port: 0 });
    const errors: string[] = [];
    const io = { out: () => undefined, err: (t: string) => errors.push(t) };
    expect(await runOrchestratorCli({ workspace, metricsPort: 'abc', io })).toBe(2);
    expect(await runOrchestratorCli({ workspace, metricsPort: '70000', io })).toBe(2);
    expect(await runOrchestratorCli({ workspace, metricsHost: ' ', io })).toBe(2);
    expect(errors[0]).toBe(
      'fleet orchestrator: --metrics-port must be a port from 0 (no exporter) to 65535, got "abc"\n',
    );
    expect(errors[1]).toContain('got "70000"');
    expect(errors[2]).toBe('fleet orchestrator: --metrics-host must not be empty\n');
  });
});
