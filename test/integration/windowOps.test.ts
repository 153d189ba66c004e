import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NewAgentResult } from '../../extension/vscode/agentPanes';
import type { FleetAiApi } from '../../extension/vscode/api';
import type { DecideOutcome } from '../../extension/vscode/supervisorHost';
import { startFakeWecom, type FakeEndpoint, type RecordedRequest } from '../fakes/notifyEndpoints.mjs';
import { scriptedAgentProfile, scriptedAgentSource } from './scriptedProfile';
import { until } from './until';

// Issue 8 in the real VS Code window (code-server's extension host): the Prometheus exporter the window serves
// and the notifier it runs, with a scripted agent on a real pty. The only stand-in is the WeCom group robot: a
// local fake built from the public API format (test/fakes/notifyEndpoints.mjs), since the real service cannot
// be reached from a test. WECOM_WEBHOOK is set in the extension host's own environment (this test runs in that
// process), which the notifier reads on every send, as it reads the environment `code` was started with.
const EXTENSION_ID = 'fleetai.fleetai';
const BRANCH = 'feat/window-ops';
const KIND = 'windowops';
/** Distinctive, so the test can tell that the webhook key never reaches the app log. */
const WECOM_KEY = 'windowops-key-5e1d9c';

interface LogLine {
  level: string;
  event: string;
  context?: Record<string, unknown>;
}

/** The real `fleet` CLI of this checkout, as a separate process. */
function fleetCli(cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A port free right now (the exporter's port 0 means "none", so the test picks one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A WeCom robot that fails: on the robot's port, every connection is reset before an answer (the robot stopped
 * first). Counts the attempts, so the test sees the notifier's background retries without waiting a fixed time.
 */
async function failingOn(port: number): Promise<{ attempts: () => number; close: () => Promise<void> }> {
  let attempts = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    attempts += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    attempts: () => attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One sample's value from Prometheus text, e.g. `orchestrator_panes{state="working"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}

function wecomContent(request: RecordedRequest): string {
  const body = request.body as {
    msgtype?: string;
    markdown?: { content?: string };
    text?: { content?: string };
  };
  return (body.msgtype === 'text' ? body.text?.content : body.markdown?.content) ?? '';
}

describe("The window's exporter and notifier (issue 8) in a real VS Code window", function () {
  // Generous: agents start on a loaded 2-core machine; nothing here asserts a duration.
  this.timeout(150_000);
  let api: FleetAiApi;
  let folder: string;
  let cli: string;
  let scratch: string;
  let wecom: FakeEndpoint & { key: string };
  let metricsUrl: string;
  let portalUrl: string;
  let configFile: string;
  let savedConfig: string | undefined;
  let profileFile: string;
  let logFrom = 0;
  let modeBefore: string;
  let pane: NewAgentResult;
  let failing: Awaited<ReturnType<typeof failingOn>> | undefined;
  const started: string[] = [];

  const newAgent = async (name: string): Promise<NewAgentResult> => {
    const result = await vscode.commands.executeCommand<NewAgentResult | undefined>('fleetai.newAgent', {
      kind: KIND,
      name,
      branch: BRANCH,
    });
    assert.ok(result, `the ${KIND} agent ${name} did not start`);
    started.push(result.id);
    return result;
  };
  const fleet = (args: string[]) => fleetCli(cli, args);
  const screenOf = (id: string) => () => api.paneScreen(id).join('\n');
  const screenHas = (id: string, text: string) => () => api.paneScreen(id).some((row) => row.includes(text));
  const scrape = async (): Promise<string> => {
    const response = await fetch(`${metricsUrl}/metrics`);
    assert.equal(response.status, 200, `GET ${metricsUrl}/metrics`);
    return response.text();
  };
  /** The app log lines this file caused (the log is shared with the files that ran before). */
  const logLines = async (): Promise<LogLine[]> => {
    // By bytes: the log's size was taken in bytes, and a line may hold more than ASCII.
    const text = (await fs.readFile(api.appLogPath)).subarray(logFrom).toString('utf8');
    return text.split('\n').flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line) as LogLine] : [];
      } catch {
        return []; // a line being written right now
      }
    });
  };
  const wecomEvents = async (event: string): Promise<LogLine[]> =>
    (await logLines()).filter((l) => l.event === event && l.context?.channel === 'wecom');
  const pendingFor = (id: string) => async () => (await api.pendingApprovals()).find((r) => r.pane === id);

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    cli = path.join(extension.extensionPath, 'dist', 'cli.js');
    assert.ok(existsSync(cli), `${cli} is missing: build with npm run package`);
    scratch = mkdtempSync(path.join(tmpdir(), 'fleetai-window-ops-'));
    const script = path.join(scratch, 'windowops-agent.cjs');
    await fs.writeFile(script, scriptedAgentSource('windowops'));
    await fs.mkdir(path.join(folder, '.fleetai', 'agents'), { recursive: true });
    profileFile = path.join(folder, '.fleetai', 'agents', `${KIND}.json`);
    await fs.writeFile(
      profileFile,
      JSON.stringify(
        scriptedAgentProfile({
          kind: KIND,
          displayName: 'Window ops agent',
          executable: 'fleetai-windowops-agent',
          script,
          prompt: 'windowops',
          question: 'Allow the windowops change\\?',
        }),
        null,
        2,
      ),
    );

    wecom = await startFakeWecom({ key: WECOM_KEY });
    process.env.WECOM_WEBHOOK = wecom.url();
    // metrics_port 0 in the file: the exporter below can only come from the fleetai.metrics.port setting.
    configFile = path.join(folder, '.fleetai', 'orchestrator.json');
    savedConfig = await fs.readFile(configFile, 'utf8').catch(() => undefined);
    await fs.writeFile(
      configFile,
      JSON.stringify(
        {
          heartbeat_seconds: 1,
          metrics_port: 0,
          notify: { channels: ['wecom'], timeout_seconds: 3, retry_min_seconds: 1, retry_max_seconds: 2 },
        },
        null,
        2,
      ),
    );
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    await vscode.workspace
      .getConfiguration('fleetai')
      .update('metrics.port', port, vscode.ConfigurationTarget.Global);
    const portalPort = await freePort();
    portalUrl = `http://127.0.0.1:${portalPort}`;
    await vscode.workspace
      .getConfiguration('fleetai')
      .update('portal.port', portalPort, vscode.ConfigurationTarget.Global);

    logFrom = existsSync(api.appLogPath) ? (await fs.stat(api.appLogPath)).size : 0;
    // The window reads its config when its supervisor starts: start it again if an earlier file started it.
    modeBefore = api.supervisor().mode;
    if (modeBefore === 'window') await vscode.commands.executeCommand('fleetai.stopOrchestrator');
    const summary = await vscode.commands.executeCommand<{ mode: string }>('fleetai.startOrchestrator');
    assert.equal(summary.mode, 'window', JSON.stringify(api.supervisor()));
    // A window whose registry loaded before the profile was written picks the file up from its watcher.
    await until(
      async () => (await api.newAgentKinds()).includes(KIND),
      () => `${KIND} among New Agent's kinds (${profileFile})`,
    );
  });

  after(async () => {
    for (const id of started) await vscode.commands.executeCommand('fleetai.removeAgent', id);
    delete process.env.WECOM_WEBHOOK;
    await vscode.workspace
      .getConfiguration('fleetai')
      .update('metrics.port', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('fleetai')
      .update('portal.port', undefined, vscode.ConfigurationTarget.Global);
    if (savedConfig === undefined) await fs.rm(configFile, { force: true });
    else await fs.writeFile(configFile, savedConfig);
    await fs.rm(profileFile, { force: true });
    // The next files find the supervisor as they would have: with the workspace defaults, or not running.
    if (api.supervisor().mode === 'window') await vscode.commands.executeCommand('fleetai.stopOrchestrator');
    if (modeBefore === 'window') await vscode.commands.executeCommand('fleetai.startOrchestrator');
    await failing?.close();
    await wecom.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("serves the window's panes on fleetai.metrics.port: the seed's metric names, panes by state, a fresh heartbeat", async () => {
    pane = await newAgent('ops-1');
    await api.waitForPaneState(pane.id, 'awaiting_input', 30_000);

    const text = await until(
      async () => {
        const t = await scrape().catch(() => '');
        const listed = [
          'starting',
          'working',
          'awaiting_approval',
          'awaiting_input',
          'stalled',
          'error',
          'exited',
        ]
          .map((state) => sample(t, `orchestrator_panes{state="${state}"}`) ?? 0)
          .reduce((a, b) => a + b, 0);
        return (sample(t, 'orchestrator_panes{state="awaiting_input"}') ?? 0) >= 1 &&
          listed === api.panes().length &&
          sample(t, `orchestrator_queue_size{branch="${BRANCH}"}`) === 0
          ? t
          : undefined;
      },
      () =>
        `the exporter at ${metricsUrl} to show ${pane.id} on ${BRANCH}; supervisor ${JSON.stringify(api.supervisor())}`,
      60_000,
    );
    for (const name of [
      'orchestrator_commands_total',
      'orchestrator_queue_size',
      'orchestrator_pending_confirmation_total',
      'orchestrator_decision_latency_seconds',
      'orchestrator_decision_errors_total',
      'orchestrator_stalls_total',
      'orchestrator_failure_streak',
      'orchestrator_heartbeat_timestamp_seconds',
      'orchestrator_panes',
      'orchestrator_approval_wait_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is missing from /metrics`);
    }
    assert.equal(sample(text, `orchestrator_pending_confirmation_total{branch="${BRANCH}"}`), 0);
    assert.equal(sample(text, `orchestrator_failure_streak{branch="${BRANCH}"}`), 0);
    const beat = sample(text, 'orchestrator_heartbeat_timestamp_seconds') ?? 0;
    // Three missed beats (heartbeat_seconds: 1) are already stale; 30 s is only a bound for a loaded machine.
    assert.ok(Math.abs(Date.now() / 1000 - beat) < 30, `heartbeat ${beat} is not fresh`);

    const health = await fetch(`${metricsUrl}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as {
      ok: boolean;
      heartbeat_age_seconds: number | null;
      panes: number;
      pane_states: Record<string, number>;
    };
    assert.equal(body.ok, true, JSON.stringify(body));
    assert.ok(body.heartbeat_age_seconds !== null && body.heartbeat_age_seconds < 15, JSON.stringify(body));
    assert.equal(body.panes, api.panes().length);
    assert.ok((body.pane_states.awaiting_input ?? 0) >= 1, JSON.stringify(body));
  });

  it('counts an approval the pane asks for in orchestrator_pending_confirmation_total{branch}', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.sendToAgent', pane.id, 'ask'), true);
    await api.waitForPaneState(pane.id, 'awaiting_approval', 30_000);
    const request = await until(
      pendingFor(pane.id),
      () => `a pending approval for ${pane.id}: ${screenOf(pane.id)()}`,
    );
    assert.equal(request.branch, BRANCH);
    await until(
      async () => sample(await scrape(), `orchestrator_pending_confirmation_total{branch="${BRANCH}"}`) === 1,
      () => `orchestrator_pending_confirmation_total{branch="${BRANCH}"} 1 for ${request.id}`,
    );
    const text = await scrape();
    assert.ok((sample(text, 'orchestrator_panes{state="awaiting_approval"}') ?? 0) >= 1);
  });

  it("sends the pane's approval request to WeCom with its id and the /approve words, the key kept out of the log", async () => {
    const request = await until(pendingFor(pane.id), () => `a pending approval for ${pane.id}`);
    const message = await until(
      () => wecom.received.find((r) => wecomContent(r).includes(request.id)),
      () =>
        `a WeCom message naming ${request.id}; received ${JSON.stringify(wecom.received.map(wecomContent))}`,
    );
    const content = wecomContent(message);
    assert.ok(content.includes(`/approve ${request.id}`), content);
    assert.ok(content.includes(`/deny ${request.id}`), content);
    assert.equal(message.query.key, WECOM_KEY);

    const approved = await vscode.commands.executeCommand<DecideOutcome>('fleetai.approve', request.id);
    assert.equal(approved.ok, true, JSON.stringify(approved));
    await until(screenHas(pane.id, 'windowops-approved-marker'), screenOf(pane.id));
    await until(
      async () => sample(await scrape(), `orchestrator_pending_confirmation_total{branch="${BRANCH}"}`) === 0,
      () => 'the pending confirmation back to 0 after the approval',
    );
    assert.equal((await wecomEvents('notify.channel.degraded')).length, 0, 'WeCom was degraded while up');
    const log = await fs.readFile(api.appLogPath, 'utf8');
    assert.equal(log.includes(WECOM_KEY), false, 'the WeCom webhook key reached the app log');
  });

  it('WeCom down: one degraded warning, the window keeps working; WeCom back: recovered, the pending approval resent', async () => {
    await api.waitForPaneState(pane.id, 'awaiting_input', 30_000);
    const before = wecom.received.length;
    // The robot fails: its port resets every connection until the robot listens there again.
    await wecom.stop();
    const down = await failingOn(wecom.port);
    failing = down;

    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.sendToAgent', pane.id, 'ask'), true);
    await api.waitForPaneState(pane.id, 'awaiting_approval', 30_000);
    const request = await until(pendingFor(pane.id), () => `a second pending approval for ${pane.id}`);
    const degraded = await until(
      async () => {
        const lines = await wecomEvents('notify.channel.degraded');
        return lines.length > 0 ? lines : undefined;
      },
      () => 'notify.channel.degraded for wecom in the app log',
    );
    assert.equal(degraded[0]?.level, 'warn');
    assert.equal(JSON.stringify(degraded).includes(WECOM_KEY), false, 'the degraded warning shows the key');

    // The window goes on: a command for another pane goes through the window's supervisor (its control socket,
    // rules and queue, as `fleet send` uses them) and is typed; the exporter counts it.
    const other = await newAgent('ops-2');
    await api.waitForPaneState(other.id, 'awaiting_input', 30_000);
    const dispatched = sample(await scrape(), 'orchestrator_commands_total{result="dispatched"}') ?? 0;
    const sent = await fleet(['send', other.id, 'hello', '--json', '-w', folder]);
    assert.equal(sent.code, 0, `fleet send: ${sent.stdout}${sent.stderr}`);
    await until(screenHas(other.id, 'echo:hello'), screenOf(other.id));
    await until(
      async () =>
        (sample(await scrape(), 'orchestrator_commands_total{result="dispatched"}') ?? 0) > dispatched,
      () => 'orchestrator_commands_total{result="dispatched"} to count the command sent while WeCom is down',
    );
    assert.equal(
      sample(await scrape(), `orchestrator_pending_confirmation_total{branch="${BRANCH}"}`),
      1,
      'the exporter does not count the approval asked while WeCom is down',
    );
    assert.equal(wecom.received.length, before);
    // The first send and at least one background retry (retry_min_seconds: 1) failed before the robot is back.
    await until(
      () => down.attempts() >= 2,
      () => `a retry of the failing robot; attempts ${down.attempts()}`,
    );
    failing = undefined;
    await down.close();

    await wecom.start();
    const resent = await until(
      () => wecom.received.slice(before).find((r) => wecomContent(r).includes(`/approve ${request.id}`)),
      () =>
        `the approval ${request.id} resent to WeCom; received ${JSON.stringify(wecom.received.map(wecomContent))}`,
    );
    assert.ok(wecomContent(resent).includes(request.id));
    const recovered = await until(
      async () => (await wecomEvents('notify.channel.recovered'))[0],
      () => 'notify.channel.recovered for wecom in the app log',
    );
    assert.ok(Number(recovered.context?.resent) >= 1, JSON.stringify(recovered));
    // The whole outage, its background retries included, logged one warning.
    assert.equal((await wecomEvents('notify.channel.degraded')).length, 1);

    const approved = await vscode.commands.executeCommand<DecideOutcome>('fleetai.approve', request.id);
    assert.equal(approved.ok, true, JSON.stringify(approved));
    await until(
      () => api.paneScreen(pane.id).filter((row) => row.includes('windowops-approved-marker')).length >= 2,
      screenOf(pane.id),
    );
  });

  it('serves the approval portal on fleetai.portal.port: 401 without the token, an approval from the portal frees the agent', async () => {
    await api.waitForPaneState(pane.id, 'awaiting_input', 30_000);
    const token = (await fs.readFile(path.join(folder, '.fleetai', 'state', 'portal.token'), 'utf8')).trim();
    assert.ok(token.length >= 16, 'the window made no per-install portal token');
    assert.equal(await vscode.commands.executeCommand<boolean>('fleetai.sendToAgent', pane.id, 'ask'), true);
    await api.waitForPaneState(pane.id, 'awaiting_approval', 30_000);
    const request = await until(pendingFor(pane.id), () => `a third pending approval for ${pane.id}`);
    const post = (url: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

    // Without the token, or with another one: 401 and nothing decided.
    assert.equal((await fetch(`${portalUrl}/api/status`)).status, 401);
    const forged = await post(`${portalUrl}/api/approvals/${request.id}/approve`, {
      authorization: 'Bearer not-the-token-0123456789',
    });
    assert.equal(forged.status, 401);
    assert.ok(await pendingFor(pane.id)(), 'a request without the token decided the approval');

    const status = await fetch(`${portalUrl}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(status.status, 200);
    const view = (await status.json()) as { approvals: { id: string }[]; panes: { id: string }[] };
    assert.ok(
      view.approvals.some((a) => a.id === request.id),
      JSON.stringify(view.approvals),
    );
    assert.ok(
      view.panes.some((p) => p.id === pane.id),
      JSON.stringify(view.panes),
    );

    const approved = await post(`${portalUrl}/api/approvals/${request.id}/approve`, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(approved.status, 200, await approved.text());
    // The screen shows its last rows only (earlier markers may have scrolled off): the marker below the question.
    await until(() => {
      const rows = api.paneScreen(pane.id);
      const asked = rows.findLastIndex((row) => row.includes('Allow the windowops change?'));
      return rows.findLastIndex((row) => row.includes('windowops-approved-marker')) > asked;
    }, screenOf(pane.id));
    const again = await post(`${portalUrl}/api/approvals/${request.id}/deny`, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(again.status, 409, 'a second answer was not refused');
    const log = await fs.readFile(api.appLogPath, 'utf8');
    assert.equal(log.includes(token), false, 'the portal token reached the app log');
    const decided = (await logLines()).find(
      (l) => l.event === 'remote.decision' && l.context?.id === request.id,
    );
    assert.equal(decided?.context?.channel, 'portal', JSON.stringify(decided));
  });

  it("without the setting, serves on the workspace's metrics_port; Stop Orchestrator closes the exporter", async () => {
    const port = await freePort();
    const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(configFile, JSON.stringify({ ...config, metrics_port: port }, null, 2));
    await vscode.workspace
      .getConfiguration('fleetai')
      .update('metrics.port', undefined, vscode.ConfigurationTarget.Global);
    const settingUrl = metricsUrl;
    metricsUrl = `http://127.0.0.1:${port}`;
    await vscode.commands.executeCommand('fleetai.stopOrchestrator');
    await assert.rejects(
      fetch(`${settingUrl}/metrics`),
      'the exporter still answers after Stop Orchestrator',
    );
    const summary = await vscode.commands.executeCommand<{ mode: string }>('fleetai.startOrchestrator');
    assert.equal(summary.mode, 'window', JSON.stringify(api.supervisor()));

    const text = await until(
      async () => {
        const t = await scrape().catch(() => '');
        return (sample(t, 'orchestrator_panes{state="awaiting_input"}') ?? 0) >= 2 ? t : undefined;
      },
      () => `the exporter on metrics_port ${port} to show both panes waiting for input`,
    );
    assert.equal(sample(text, `orchestrator_queue_size{branch="${BRANCH}"}`), 0);
    await assert.rejects(fetch(`${settingUrl}/metrics`), 'the port of the removed setting still answers');
  });
});
