import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeWecom, type FakeEndpoint } from '../../fakes/notifyEndpoints.mjs';
import { buildCli } from '../audit/builtCli';
import { repoRoot } from '../helpers';

// The `fleet` CLI as shipped (bundled like extension/build/bundle.mjs), running `fleet orchestrator` over a real
// pty with a scripted Aider-like agent (test/bench/approvalAgent.cjs) that asks "Run shell command?". The WeCom
// robot is the local fake built from the public API; Slack is listed but its variable is not set (scenario G).

const agentScript = path.join(repoRoot, 'test/bench/approvalAgent.cjs');
let dir: string;
let cli: string;
let ws: string;
let stampFile: string;
let wecom: FakeEndpoint & { key: string };
let proc: ChildProcess | undefined;
let stderr = '';

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
  mkdirSync(path.join(ws, '.fleetai/agents'), { recursive: true });
  stampFile = path.join(ws, 'agent-stamps.jsonl');
  writeFileSync(
    path.join(ws, '.fleetai/orchestrator.json'),
    JSON.stringify({
      tick_seconds: 1,
      heartbeat_seconds: 1,
      metrics_port: 0,
      notify: { channels: ['wecom', 'slack'], wecom_msgtype: 'text' },
      panes: [
        { id: 'bench', agent: 'aider', command: process.execPath, args: [agentScript, stampFile, 'command'] },
      ],
    }),
  );
  // Aider prints the command on the rows above its question; this rule reads it (as test/bench/supervisor.mjs).
  writeFileSync(
    path.join(ws, '.fleetai/agents/aider.json'),
    JSON.stringify({
      schemaVersion: 1,
      kind: 'aider',
      patterns: [
        {
          versions: '*',
          extend: true,
          rules: [
            {
              id: 'approval-command',
              state: 'awaiting_approval',
              source: 'live',
              regex: 'Run shell commands?\\?.*\\(Y\\)es/\\(N\\)o',
              priority: 100,
              approval: { kind: 'command', commandRegex: '^\\s+(\\S.*)$' },
            },
          ],
        },
      ],
    }),
  );
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
    // The same id the supervisor filed.
    const requested = readLines(appLog).find((l) => l.event === 'approval.requested' && l.context?.id === id);
    expect(requested, 'approval in the app log').toBeDefined();

    // Slack is listed but SLACK_WEBHOOK_URL is not set: one degradation warning, and the supervisor runs on.
    const degraded = readLines(appLog).filter((l) => l.event === 'notify.channel.degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.context).toMatchObject({ channel: 'slack', reason: 'SLACK_WEBHOOK_URL is not set' });
    expect(readFileSync(appLog, 'utf8')).not.toContain(wecom.key);
    alive();

    proc.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) =>
      proc!.exitCode !== null ? resolve(proc!.exitCode) : proc!.on('exit', (c) => resolve(c)),
    );
    expect(code, stderr).toBe(0);
  }, 120_000);
});
