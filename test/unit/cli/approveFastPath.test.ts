import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../audit/builtCli';

// The `fleet` bin as shipped: the launcher (dist/cli.js), the approvals fast path (approve.js) and the whole CLI
// (fleet.js), bundled into a temp folder the way extension/build/bundle.mjs does. A real unix-socket server stands
// in for a running supervisor, so the test sees exactly what goes over the control channel.
let dir: string;
let cli: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-approve-'));
  await buildCli(dir, {
    cli: 'extension/cli/launcher.ts',
    approve: 'extension/cli/approveMain.ts',
    fleet: 'extension/cli/main.ts',
  });
  cli = path.join(dir, 'cli.js');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function supervisor(answer: (request: Record<string, unknown>) => unknown) {
  const workspace = mkdtempSync(path.join(dir, 'ws-'));
  const socket = path.join(workspace, 's.sock');
  const requests: Record<string, unknown>[] = [];
  const server = net.createServer((c) => {
    c.setEncoding('utf8');
    let buffer = '';
    c.on('data', (d: string) => {
      buffer += d;
      if (!buffer.includes('\n')) return;
      const request = JSON.parse(buffer.slice(0, buffer.indexOf('\n'))) as Record<string, unknown>;
      requests.push(request);
      c.write(`${JSON.stringify({ id: request.id, ...(answer(request) as object) })}\n`);
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  mkdirSync(path.join(workspace, '.fleetai/state'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.fleetai/state/control.json'),
    JSON.stringify({
      socket,
      token: 't0ken',
      pid: process.pid,
      started_at: new Date().toISOString(),
      workspace,
    }),
  );
  return { workspace, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('fleet approvals:approve / approvals:deny through the fast path', () => {
  it('sends the decision over the control socket with the token, and prints what the whole CLI prints', async () => {
    const s = await supervisor(() => ({ ok: true, value: { id: 'a1', decision: 'approve' } }));
    const approved = await run(['approvals:approve', 'a1', '-w', s.workspace]);
    expect(approved).toMatchObject({ code: 0, stdout: 'approved a1\n' });
    const denied = await run([
      'approvals:deny',
      'a1',
      '--reason',
      'use staging',
      '-w',
      s.workspace,
      '--json',
    ]);
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toEqual({ ok: true, record: { id: 'a1', decision: 'approve' } });
    expect(s.requests).toEqual([
      { id: 1, token: 't0ken', method: 'approvals.decide', params: { id: 'a1', decision: 'approve' } },
      {
        id: 1,
        token: 't0ken',
        method: 'approvals.decide',
        params: { id: 'a1', decision: 'deny', message: 'use staging' },
      },
    ]);
    await s.close();
  });

  it('a refused answer exits 1 and names the code', async () => {
    const s = await supervisor(() => ({
      ok: false,
      error: { code: 'E_APPROVAL_ALREADY_DECIDED', message: 'already approved by vscode' },
    }));
    const r = await run(['approvals:approve', 'a2', '--session', '-w', s.workspace]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already approved by vscode (E_APPROVAL_ALREADY_DECIDED)');
    expect(s.requests[0]).toMatchObject({ params: { id: 'a2', decision: 'approve_for_session' } });
    await s.close();
  });

  it('without a supervisor, the whole CLI decides in the approval files', async () => {
    const workspace = mkdtempSync(path.join(dir, 'ws-none-'));
    const r = await run(['approvals:approve', 'nope', '-w', workspace]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_APPROVAL_NOT_FOUND');
  });

  it('everything else goes to the whole CLI', async () => {
    const r = await run(['--version']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
