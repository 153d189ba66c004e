import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { buildCli } from '../audit/builtCli';
import { repoRoot } from '../helpers';
import { ENV, openReply, send, wecomPost } from './chatHarness';
import { writeApprovalAgentWorkspace } from '../../bench/approvalAgentWorkspace.mjs';
import { freePort } from '../../vscode/codeServer.mjs';

// The `fleet` CLI as shipped (bundled like extension/build/bundle.mjs), running `fleet orchestrator` over a real
// pty with the scripted Aider-like agent of test/bench/approvalAgent.cjs, which asks "Run shell command?" and
// writes the key it receives to a stamp file. WeCom is this test: it signs and encrypts the callback as WeCom's
// servers do (test/unit/remote/chatHarness.ts) and posts it to the supervisor's remote server.

let dir: string;
let cli: string;
let ws: string;
let stampFile: string;
let port: number;
let proc: ChildProcess | undefined;
let stderr = '';

interface Line {
  event?: string;
  ev?: string;
  key?: string;
  pid?: number;
  context?: Record<string, unknown>;
}
const readLines = (file: string): Line[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
    : [];

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

/** A port free a moment ago (the config's 0 means "no portal", so the test picks one). */

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-chat-cli-'));
  cli = await buildCli(dir);
  port = await freePort();
  ws = path.join(dir, 'ws');
  ({ stampFile } = writeApprovalAgentWorkspace(ws, {
    config: {
      tick_seconds: 1,
      heartbeat_seconds: 1,
      portal: { port },
    },
  }));
}, 60_000);

afterAll(() => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet orchestrator takes a decision from a WeCom callback', () => {
  it('a pane waits for an approval, a signed WeCom /approve answers it, the agent proceeds', async () => {
    proc = spawn(process.execPath, [cli, 'orchestrator', '-w', ws], {
      cwd: ws,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LANG: 'C',
        ...ENV,
        FLEETAI_PORTAL_TOKEN: 'chat-e2e-portal-token-0123456789',
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
        const line = readLines(stampFile).find((l) => l.ev === 'ready');
        if (!line) throw new Error('agent not ready');
        return line;
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
    process.kill(ready.pid!, 'SIGUSR1');

    const store = ApprovalStore.forWorkspace(workspacePaths(ws));
    const pending = await vi.waitFor(
      async () => {
        alive();
        const [first] = await store.pending();
        if (!first) throw new Error('no pending approval yet');
        return first;
      },
      { timeout: 30_000, interval: 50 },
    );
    expect(pending).toMatchObject({ pane: 'bench', command: 'npm install left-pad@1.3.1' });

    // The remote server may still be starting when the pane is ready: retry until it answers. The first request
    // is signed with the wrong token: 401, and the approval is still pending.
    const callback = `http://127.0.0.1:${port}`;
    const forged = await vi.waitFor(
      async () => {
        alive();
        return send(callback, wecomPost(`/approve ${pending.id}`, { token: 'not-the-token' }));
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(forged.status, forged.body).toBe(401);
    expect((await store.pending()).map((r) => r.id)).toEqual([pending.id]);

    const answer = await send(callback, wecomPost(`/approve ${pending.id}`, { from: 'zhangsan' }));
    expect(answer.status, answer.body).toBe(200);
    expect(openReply(answer.body)).toContain(`Approved ${pending.id}`);

    // The agent got its "y" and went on.
    await vi.waitFor(
      () =>
        expect(readLines(stampFile).some((l) => l.ev === 'key' && l.key?.toLowerCase() === 'y')).toBe(true),
      { timeout: 30_000, interval: 50 },
    );
    const list = await fleet(['approvals:list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe('no pending approvals\n');
    expect(await store.get(pending.id)).toMatchObject({
      decision: 'approve',
      decidedBy: 'wecom',
      message: 'via wecom by zhangsan',
    });
    await vi.waitFor(
      () =>
        expect(readLines(appLog).filter((l) => l.event === 'chat.refused')).toMatchObject([
          {
            context: { channel: 'wecom', status: 401, peer: expect.stringContaining('127.0.0.1') as unknown },
          },
        ]),
      { timeout: 10_000, interval: 50 },
    );
    const logged = readFileSync(appLog, 'utf8');
    expect(logged).not.toContain(ENV.WECOM_CALLBACK_TOKEN);
    expect(logged).not.toContain(ENV.WECOM_CALLBACK_AES_KEY);
    alive();
  }, 150_000);
});
