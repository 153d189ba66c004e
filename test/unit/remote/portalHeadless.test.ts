import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { freePort } from '../../vscode/codeServer.mjs';

// The real headless supervisor (pane registry over node-pty, a `sh` pane) with its portal, in this process.
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(portal: { port?: number }): Promise<{
  running: HeadlessOrchestrator;
  log: ReturnType<typeof createMemoryLog>;
  workspace: string;
}> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-portal-headless-'));
  cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({
      metrics_port: 0,
      portal: { port: 0 },
      panes: [{ id: 'worker', agent: 'shell', command: 'sh' }],
    }),
  );
  const paths = workspacePaths(workspace);
  const log = createMemoryLog();
  const running = await startHeadlessOrchestrator({
    configFile: paths.orchestratorConfig,
    workspace,
    paths,
    builtinProfilesDir: path.resolve('agents-config'),
    log,
    env: () => ({ ...process.env, FLEETAI_PORTAL_TOKEN: 'headless-portal-token-0123456789' }),
    portal,
  });
  cleanup.push(() => running.stop());
  return { running, log, workspace };
}

describe('fleet orchestrator with the portal', () => {
  it('serves the portal on --portal-port with the token from token_env, and closes it on stop', async () => {
    const port = await freePort();
    const { running } = await start({ port });
    expect(running.portal?.url).toBe(`http://127.0.0.1:${port}`);
    const denied = await fetch(`${running.portal?.url}/api/status`);
    expect(denied.status).toBe(401);
    const status = await fetch(`${running.portal?.url}/api/status`, {
      headers: { authorization: 'Bearer headless-portal-token-0123456789' },
    });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { panes: { id: string }[] }).panes.map((p) => p.id)).toEqual(['worker']);
    await running.stop();
    await expect(fetch(`http://127.0.0.1:${port}/api/status`)).rejects.toThrow();
  });

  it('a port in use: portalError E_PORTAL_LISTEN naming --portal-port, and the supervisor runs on', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const { running } = await start({ port });
    expect(running.portal).toBeUndefined();
    expect((running.portalError as Error & { code?: string }).code).toBe('E_PORTAL_LISTEN');
    expect(running.portalError?.message).toContain('--portal-port');
    expect(running.portalError?.message).toContain(`port ${port}`);
    expect(running.registry.list().map((p) => p.id)).toEqual(['worker']);
    expect(running.control.socket).toBeTruthy();
  });

  it('portal.port 0 starts none', async () => {
    const { running } = await start({});
    expect(running.portal).toBeUndefined();
    expect(running.portalError).toBeUndefined();
  });
});
