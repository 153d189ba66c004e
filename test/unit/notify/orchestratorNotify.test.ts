import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeWecom, type FakeEndpoint } from '../../fakes/notifyEndpoints.mjs';
import { buildCli } from '../audit/builtCli';
import { repoRoot } from '../helpers';
import { writeApprovalAgentWorkspace } from '../../bench/approvalAgentWorkspace.mjs';

// The `fleet` CLI as shipped (bundled like extension/build/bundle.mjs), running `fleet orchestrator` over a real
// pty with a scripted Aider-like agent (test/bench/approvalAgent.cjs) that asks "Run shell command?". The WeCom
// robot is the local fake built from the public API; Slack is listed but its variable is not set (scenario G).

let dir: string;
let cli: string;
let ws: string;
let stampFile: string;
let wecom: FakeEndpoint & { key: string };
let proc: ChildProcess | undefined;
let stderr = '';
let firstId: string | undefined;
let agentPid: number | undefined;

function fleet(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args, '-w', ws], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout: out, stderr: err })));
}

interface LogLine {
  event: string;
  level?: string;
  context?: Record<string, unknown>;
}
const readLines = (file: string): LogLine[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine)
    : [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-notify-cli-'));
  cli = await buildCli(dir);
  wecom = await startFakeWecom({ key: 'cli-test-key-4242' });
  ws = path.join(dir, 'ws');
  ({ stampFile } = writeApprovalAgentWorkspace(ws, {
    config: {
      tick_seconds: 1,
      heartbeat_seconds: 1,
      notify: {
        channels: ['wecom', 'slack'],
        wecom_msgtype: 'text',
        retry_min_seconds: 0.5,
        retry_max_seconds: 1,
      },
    },
  }));
}, 60_000);

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  await wecom?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet orchestrator notifies through the configured channels', () => {
  it('an approval requested by an agent reaches the fake WeCom robot with id, pane, command, risk and reply words', async () => {
    proc = spawn(process.execPath, [cli, 'orchestrator', '-w', ws], {
      cwd: ws,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LANG: 'C',
        WECOM_WEBHOOK: wecom.url(),
        // The bundle lives in a temp folder; node-pty (external, native) is found in the repository.
        NODE_PATH: path.join(repoRoot, 'node_modules'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const appLog = path.join(ws, '.fleetai/logs/app.jsonl');
    const alive = () => expect(proc!.exitCode, stderr).toBeNull();

    const ready = await vi.waitFor(
      () => {
        alive();
        const line = readLines(stampFile).find((l) => (l as { ev?: string }).ev === 'ready');
        if (!line) throw new Error('agent not ready');
        return line as unknown as { pid: number };
      },
      { timeout: 60_000, interval: 50 },
    );
    await vi.waitFor(
      () => {
        alive();
        expect(readLines(appLog).some((l) => l.event === 'pane.state' && l.context?.to === 'working')).toBe(
          true,
        );
      },
      { timeout: 30_000, interval: 50 },
    );
    process.kill(ready.pid, 'SIGUSR1');

    const [message] = await wecom.waitFor(1, 30_000);
    const content = (message!.body as { msgtype: string; text: { content: string } }).text.content;
    expect((message!.body as { msgtype: string }).msgtype).toBe('text');
    const id = /\/approve (\S+)/.exec(content)?.[1];
    expect(id, content).toBeDefined();
    expect(content).toContain(`/deny ${id}`);
    expect(content).toContain(`ID: ${id}`);
    expect(content).toContain('Pane: bench');
    expect(content).toContain('Command: npm install left-pad@1.3.1');
    expect(content).toMatch(/Risk: (low|medium|high|critical)/);
    // The same id the supervisor filed (the app log is written asynchronously: it may trail the message).
    await vi.waitFor(
      () =>
        expect(readLines(appLog).some((l) => l.event === 'approval.requested' && l.context?.id === id)).toBe(
          true,
        ),
      { timeout: 10_000, interval: 50 },
    );

    // Slack is listed but SLACK_WEBHOOK_URL is not set: one degradation warning, and the supervisor runs on.
    const degraded = readLines(appLog).filter((l) => l.event === 'notify.channel.degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.context).toMatchObject({ channel: 'slack', reason: 'SLACK_WEBHOOK_URL is not set' });
    expect(readFileSync(appLog, 'utf8')).not.toContain(wecom.key);
    alive();
    firstId = id;
    agentPid = ready.pid;
  }, 120_000);

  it('scenario G: WeCom down -> one warning, the supervisor goes on -> WeCom back -> the pending approval is resent', async () => {
    expect(firstId, 'the first test ran').toBeDefined();
    const appLog = path.join(ws, '.fleetai/logs/app.jsonl');
    const events = (name: string) => readLines(appLog).filter((l) => l.event === name);
    await wecom.stop();
    // The supervisor answers the first request (typing "n" into the agent), so the agent can ask again.
    const deny = await fleet(['approvals:deny', firstId!, '--reason', 'scenario G']);
    expect(deny.code, deny.stderr).toBe(0);
    await vi.waitFor(() => expect(readFileSync(stampFile, 'utf8')).toContain('"key":"n"'), {
      timeout: 30_000,
      interval: 50,
    });
    process.kill(agentPid!, 'SIGUSR1');
    await vi.waitFor(
      () =>
        expect(events('notify.channel.degraded').filter((l) => l.context?.channel === 'wecom')).toHaveLength(
          1,
        ),
      { timeout: 30_000, interval: 100 },
    );
    expect(proc!.exitCode, stderr).toBeNull();
    // Still down through a few retries: no second warning.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(events('notify.channel.degraded').filter((l) => l.context?.channel === 'wecom')).toHaveLength(1);

    await wecom.start();
    const resent = (await wecom.waitFor(2, 30_000))[1];
    const content = (resent!.body as { text: { content: string } }).text.content;
    const secondId = /\/approve (\S+)/.exec(content)?.[1];
    expect(secondId).toBeDefined();
    expect(secondId).not.toBe(firstId);
    expect(content).toContain('Command: npm install left-pad@1.3.2');
    await vi.waitFor(
      () =>
        expect(events('notify.channel.recovered').map((l) => l.context)).toEqual([
          expect.objectContaining({ channel: 'wecom', resent: 1 }) as unknown,
        ]),
      { timeout: 10_000, interval: 100 },
    );
    expect(readFileSync(appLog, 'utf8')).not.toContain(wecom.key);

    proc!.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) =>
      proc!.exitCode !== null ? resolve(proc!.exitCode) : proc!.on('exit', (c) => resolve(c)),
    );
    expect(code, stderr).toBe(0);
  }, 120_000);
});
