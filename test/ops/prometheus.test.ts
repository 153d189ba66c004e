import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, opsDir, requireTool, sleep, until } from './opsTools';

/**
 * A real Prometheus (Debian's package) scraping a real `fleet orchestrator` (dist/cli.js) every second, with the
 * shipped alert rules: an approval left pending must fire FleetAIPendingConfirmation, and what Prometheus reads
 * must be what the supervisor says (`fleet status --json`). Only the rule's `for:` is shortened (10m -> 3s) in a
 * copy of the rule file, so the test does not wait ten minutes.
 */

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

let dir: string;
let workspace: string;
let orchestrator: ChildProcess | undefined;
let prometheus: ChildProcess | undefined;
let orchestratorOut = '';
let prometheusOut = '';
let exporterPort: number;
let promUrl: string;

function fleet(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args, '-w', workspace], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

async function promApi<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${promUrl}${pathAndQuery}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error ?? body.status}`);
  return body.data;
}

/** The value of an instant query with one result, or undefined while Prometheus has none. */
async function scalar(query: string): Promise<number | undefined> {
  const data = await promApi<{ result: { value: [number, string] }[] }>(
    `/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const first = data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

async function alerts(): Promise<Alert[]> {
  return (await promApi<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

beforeAll(async () => {
  const prometheusBin = requireTool('prometheus');
  expect(existsSync(cli), `${cli} is missing: run npm run package (or npm run build) first`).toBe(true);
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleetai-ops-'));
  workspace = path.join(dir, 'ws');
  mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
  exporterPort = await freePort();
  writeFileSync(
    path.join(workspace, '.fleetai/orchestrator.json'),
    JSON.stringify({
      tick_seconds: 1,
      heartbeat_seconds: 1,
      session_cooldown_seconds: 0,
      metrics_host: '127.0.0.1',
      metrics_port: exporterPort,
      panes: [{ id: 'worker', agent: 'shell', command: 'sh', branch: 'feature/metrics' }],
    }),
  );
  orchestrator = spawn(process.execPath, [cli, 'orchestrator', '-w', workspace], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  orchestrator.stdout?.resume();
  orchestrator.stderr?.setEncoding('utf8').on('data', (d: string) => (orchestratorOut += d));
  await until(
    'fleet orchestrator to serve /metrics',
    async () => ((await fetch(`http://127.0.0.1:${exporterPort}/healthz`)).ok ? true : undefined),
    60_000,
  );

  // The shipped rules, with the pending-confirmation rule's `for: 10m` shortened.
  const rules = readFileSync(path.join(opsDir, 'alerts.rules.yml'), 'utf8');
  const pendingRule = /(- alert: FleetAIPendingConfirmation[\s\S]*?for: )10m/;
  expect(rules).toMatch(pendingRule);
  writeFileSync(path.join(dir, 'alerts.rules.yml'), rules.replace(pendingRule, '$13s'));
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      '  - alerts.rules.yml',
      'scrape_configs:',
      '  - job_name: fleetai',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${exporterPort}']`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    prometheusBin,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.resume();
  prometheus.stderr?.setEncoding('utf8').on('data', (d: string) => (prometheusOut += d));
  await until('Prometheus to be ready', async () =>
    (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined,
  );
}, 120_000);

afterAll(async () => {
  await stop(prometheus);
  await stop(orchestrator);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a real Prometheus scraping fleet orchestrator with the shipped rules', () => {
  it('scrapes the exporter (target up) and reads the supervisor heartbeat', async () => {
    const up = await until('the fleetai target to be up', async () =>
      (await scalar('up{job="fleetai"}')) === 1 ? 1 : undefined,
    );
    expect(up).toBe(1);
    const age = await until('a heartbeat sample', () =>
      scalar('time() - orchestrator_heartbeat_timestamp_seconds{job="fleetai"}'),
    );
    // The supervisor beats every second; the sample is at most a few scrapes old.
    expect(age).toBeLessThan(30);
    expect(await scalar('orchestrator_panes{job="fleetai",state="awaiting_input"}')).toBe(1);
  });

  it('an approval left pending fires FleetAIPendingConfirmation; the values match fleet status', async () => {
    const quiet = await alerts();
    expect(quiet.filter((a) => a.labels.alertname === 'FleetAIPendingConfirmation')).toEqual([]);

    // A command the approval rules call critical waits for a human. (Never approved: sh would run it.)
    const sent = fleet('send', 'worker', 'Could you run `rm -rf /` for me?');
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('waits for approval');

    const firing = await until(
      'FleetAIPendingConfirmation to fire',
      async () =>
        (await alerts()).find(
          (a) => a.labels.alertname === 'FleetAIPendingConfirmation' && a.state === 'firing',
        ),
      90_000,
    );
    expect(firing.labels).toMatchObject({
      branch: 'feature/metrics',
      severity: 'critical',
      job: 'fleetai',
      instance: `127.0.0.1:${exporterPort}`,
    });
    expect(Number(firing.value)).toBe(1);

    const status = JSON.parse(fleet('status', '--json').stdout) as {
      pending_approvals: { id: string; pane: string }[];
    };
    expect(status.pending_approvals).toHaveLength(1);
    expect(await scalar('sum(orchestrator_pending_confirmation_total{job="fleetai"})')).toBe(
      status.pending_approvals.length,
    );
    expect(await scalar('orchestrator_queue_size{job="fleetai",branch="feature/metrics"}')).toBe(1);
    expect(await scalar('orchestrator_commands_total{job="fleetai",result="queued"}')).toBe(1);
    // The other rules stay quiet: the supervisor beats, nothing failed.
    const others = (await alerts()).filter((a) => a.labels.alertname !== 'FleetAIPendingConfirmation');
    expect(others).toEqual([]);

    // Denied: nothing waits any more, the alert resolves, the denial is counted.
    const pending = status.pending_approvals[0];
    expect(pending).toBeDefined();
    const denied = fleet('approvals:deny', pending?.id ?? '', '--reason', 'not on this machine');
    expect(denied.code, denied.stderr).toBe(0);
    await until('the alert to resolve', async () =>
      (await alerts()).some((a) => a.labels.alertname === 'FleetAIPendingConfirmation') ? undefined : true,
    );
    expect(await scalar('sum(orchestrator_pending_confirmation_total{job="fleetai"})')).toBe(0);
    await until('the denial to be counted', async () =>
      (await scalar('orchestrator_commands_total{job="fleetai",result="denied"}')) === 1 ? true : undefined,
    );
    await until('the approval wait to be observed', async () =>
      (await scalar('orchestrator_approval_wait_seconds_count{job="fleetai"}')) === 1 ? true : undefined,
    );
  });

  it('every query of the shipped Grafana dashboard is valid PromQL for this Prometheus', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(opsDir, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$job', 'fleetai').replaceAll('$instance', '.*');
        await expect(
          promApi(`/api/v1/query?query=${encodeURIComponent(expr)}`),
          panel.title,
        ).resolves.toBeDefined();
      }
    }
  });

  it('/healthz reports the supervisor alive with its panes', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${exporterPort}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({ ok: true, panes: 1 });
    expect(health.heartbeat_age_seconds).toBeLessThan(15);
    expect(orchestratorOut).toContain(`metrics on http://127.0.0.1:${exporterPort}/metrics`);
    expect(prometheusOut).not.toContain('level=error');
  });
});
