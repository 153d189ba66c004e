import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { defaultOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { portalRoutes } from '../../../extension/core/remote/portalRoutes';
import { startRemoteServer, type RemoteServer } from '../../../extension/core/remote/remoteServer';
import { remoteSupervisor } from '../../../extension/core/remote/remoteSupervisor';
import { startPortal } from '../../../extension/core/remote/startPortal';
import { createClassifier } from '../../../extension/core/supervisor/approvalsGlue';
import { Orchestrator } from '../../../extension/core/supervisor/orchestrator';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../extension/core/supervisor/settings';
import { storeApprovalsPort } from '../../../extension/core/supervisor/storeApprovals';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { RecordingNotifier, ScriptedFleet } from '../supervisor/scriptedFleet';

const TOKEN = 'portal-test-token-0123456789abcdef';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A real orchestrator, approval store and portal server over a scripted fleet (the agents are the only thing not
 * real here: a unit test cannot run Codex; test/e2e/portal.e2e.test.ts does).
 */
async function setup() {
  const workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-portal-'));
  cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
  const paths = workspacePaths(workspace);
  const log = createMemoryLog();
  const fleet = new ScriptedFleet();
  fleet.add('p1', { cwd: workspace, branch: 'feat/login' });
  const approvals = storeApprovalsPort(paths, log);
  const config = defaultOrchestratorConfig();
  const orchestrator = new Orchestrator({
    fleet,
    approvals,
    notifier: new RecordingNotifier(),
    store: { load: () => Promise.resolve(undefined), save: () => Promise.resolve() },
    log,
    settings: { ...DEFAULT_SUPERVISOR_SETTINGS, sessionCooldownMs: 0, tickMs: 60_000, heartbeatMs: 60_000 },
    classify: createClassifier(config, workspace),
    workspaceRoot: workspace,
  });
  await orchestrator.start();
  cleanups.push(async () => {
    await orchestrator.dispose();
    approvals.dispose();
  });
  const store = ApprovalStore.forWorkspace(paths);
  const remote = remoteSupervisor({ orchestrator, panes: () => fleet.list(), store, log });
  const server = await startRemoteServer({
    host: '127.0.0.1',
    port: 0,
    origin: 'test',
    token: TOKEN,
    routes: portalRoutes({ remote, log }),
    log,
  });
  cleanups.push(() => server.close());
  return { workspace, paths, log, fleet, orchestrator, store, remote, server, config };
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const post = (server: RemoteServer, p: string, body: unknown, headers: Record<string, string> = bearer) =>
  fetch(`${server.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A risky command queued for p1: it waits for a person, as a pending approval in the store. */
async function pendingApproval(s: Awaited<ReturnType<typeof setup>>): Promise<string> {
  const queued = await s.orchestrator.submit({
    pane: 'p1',
    text: 'Please run `rm -rf /` now.',
    source: 'model',
  });
  expect(queued.requires_confirmation).toBe(true);
  const pending = await s.store.pending();
  expect(pending).toHaveLength(1);
  return pending[0]!.id;
}

const until = async (check: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('portal server: the token', () => {
  it('401 without the token or with a wrong one, and nothing is decided or queued', async () => {
    const s = await setup();
    const id = await pendingApproval(s);
    const attempts: [string, Record<string, string>][] = [
      ['none', {}],
      ['wrong bearer', { authorization: `Bearer ${TOKEN}x` }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['basic', { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }],
      ['wrong cookie', { cookie: 'fleetai_portal=nope-nope-nope-nope' }],
    ];
    for (const [what, headers] of attempts) {
      const approve = await post(s.server, `/api/approvals/${id}/approve`, {}, headers);
      expect(approve.status, what).toBe(401);
      expect(((await approve.json()) as { error: { code: string } }).error.code).toBe('E_PORTAL_AUTH');
      const deny = await post(s.server, `/api/approvals/${id}/deny`, { reason: 'x' }, headers);
      expect(deny.status, what).toBe(401);
      const sent = await post(s.server, '/api/panes/p1/send', { text: 'hello' }, headers);
      expect(sent.status, what).toBe(401);
      expect((await fetch(`${s.server.url}/api/status`, { headers })).status, what).toBe(401);
    }
    expect((await s.store.pending()).map((r) => r.id)).toEqual([id]);
    expect(await s.store.completed()).toEqual([]);
    expect(s.orchestrator.metaFor('p1')?.queued_commands).toHaveLength(1);
    // A browser gets a page that says what to do, in its language.
    const page = await fetch(`${s.server.url}/?token=wrong`, {
      headers: { accept: 'text/html', 'accept-language': 'zh-CN,zh;q=0.9' },
      redirect: 'manual',
    });
    expect(page.status).toBe(401);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('门户令牌缺失或错误');
    expect(JSON.stringify(s.log.lines)).not.toContain(TOKEN);
  });

  it('/?token= sets an HttpOnly SameSite=Strict cookie, sends the browser to / without it, and the cookie works', async () => {
    const s = await setup();
    const visit = await fetch(`${s.server.url}/?token=${encodeURIComponent(TOKEN)}`, { redirect: 'manual' });
    expect(visit.status).toBe(303);
    expect(visit.headers.get('location')).toBe('./');
    const cookie = visit.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^fleetai_portal=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const jar = cookie.split(';')[0]!;
    const page = await fetch(`${s.server.url}/`, { headers: { cookie: jar, 'accept-language': 'en-US,en' } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    const html = await page.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain('name="viewport"');
    expect(html).toContain('Pending approvals');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/);
    expect(html).not.toContain(TOKEN);
    const status = await fetch(`${s.server.url}/api/status`, { headers: { cookie: jar } });
    expect(status.status).toBe(200);
    const body = (await status.json()) as { panes: { id: string; branch?: string }[] };
    expect(body.panes).toMatchObject([{ id: 'p1', branch: 'feat/login' }]);
    const zh = await fetch(`${s.server.url}/`, { headers: { cookie: jar, 'accept-language': 'zh-CN' } });
    expect(await zh.text()).toContain('等待确认');
    const lines = JSON.stringify(s.log.lines);
    expect(lines).not.toContain(TOKEN);
    expect(lines).toContain('cookie_set');
  });
});

describe('portal API: decisions and instructions', () => {
  it('approve decides exactly once with decidedBy portal; the agent gets the command; a second answer is refused', async () => {
    const s = await setup();
    const id = await pendingApproval(s);
    const first = await post(s.server, `/api/approvals/${id}/approve`, {});
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      ok: true,
      record: { id, decision: 'approve', decidedBy: 'portal' },
    });
    await until(() => s.fleet.typed.some((t) => t.text.includes('rm -rf /')), 'the approved command typed');
    const again = await post(s.server, `/api/approvals/${id}/deny`, { reason: 'too late' });
    expect(again.status).toBe(409);
    const answer = (await again.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('E_APPROVAL_ALREADY_DECIDED');
    expect(answer.error.message).toMatch(/already answered: approve by portal/);
    const completed = await s.store.completed();
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ id, decision: 'approve', decidedBy: 'portal' });
    expect(await s.store.pending()).toEqual([]);
  });

  it('deny with a reason decides once with decidedBy portal and the reason kept; nothing is typed', async () => {
    const s = await setup();
    const id = await pendingApproval(s);
    const denied = await post(s.server, `/api/approvals/${id}/deny`, { reason: 'not on main' });
    expect(denied.status).toBe(200);
    const completed = await s.store.completed();
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ id, decision: 'deny', decidedBy: 'portal' });
    expect(JSON.stringify(completed[0])).toContain('not on main');
    expect((await post(s.server, `/api/approvals/${id}/approve`, {})).status).toBe(409);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.fleet.typed.filter((t) => t.text.includes('rm -rf'))).toEqual([]);
    expect((await post(s.server, '/api/approvals/nope/approve', {})).status).toBe(404);
  });

  it('send queues with source remote; a risky one says it waits for an approval; unknown pane 404', async () => {
    const s = await setup();
    const sent = await post(s.server, '/api/panes/p1/send', { text: 'run the unit tests' });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ ok: true, requires_confirmation: false });
    await until(() => s.fleet.typed.some((t) => t.text === 'run the unit tests'), 'the instruction typed');
    const audit = s.log.lines.filter((l) => l.event === 'remote.send');
    expect(audit).toHaveLength(1);
    const risky = await post(s.server, '/api/panes/p1/send', { text: 'run `git push --force origin main`' });
    expect(await risky.json()).toMatchObject({ ok: true, requires_confirmation: true });
    const pending = await s.store.pending();
    expect(pending).toHaveLength(1);
    const waiting = s.orchestrator.metaFor('p1')?.queued_commands ?? [];
    expect(waiting.map((c) => [c.source, c.text])).toEqual([
      ['remote', 'run `git push --force origin main`'],
    ]);
    const missing = await post(s.server, '/api/panes/ghost/send', { text: 'hi' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('E_PANE_NOT_FOUND');
    expect((await post(s.server, '/api/panes/p1/send', { text: '  ' })).status).toBe(400);
  });
});

describe('portal server: refused requests', () => {
  it('a cross-site or non-JSON POST is refused even with the right token, and nothing runs', async () => {
    const s = await setup();
    const id = await pendingApproval(s);
    const cross = await post(
      s.server,
      `/api/approvals/${id}/approve`,
      {},
      { ...bearer, origin: 'https://evil.example' },
    );
    expect(cross.status).toBe(403);
    const form = await fetch(`${s.server.url}/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const plain = await fetch(`${s.server.url}/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    const badJson = await fetch(`${s.server.url}/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
    expect(await s.store.completed()).toEqual([]);
    // The page's own origin is fine.
    const own = await post(s.server, `/api/approvals/${id}/approve`, {}, { ...bearer, origin: s.server.url });
    expect(own.status).toBe(200);
  });

  it('a body over 64 KiB gets 413, declared or not, and nothing is queued', async () => {
    const s = await setup();
    const declared = await post(s.server, '/api/panes/p1/send', { text: 'x'.repeat(70 * 1024) });
    expect(declared.status).toBe(413);
    // Chunked: no content-length, counted while read.
    const chunked = await fetch(`${s.server.url}/api/panes/p1/send`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 70; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect(s.orchestrator.metaFor('p1')?.queued_commands ?? []).toHaveLength(0);
    expect(s.fleet.typed).toEqual([]);
  });

  it('unknown paths 404, wrong methods 405', async () => {
    const s = await setup();
    expect((await fetch(`${s.server.url}/nope`, { headers: bearer })).status).toBe(404);
    const wrong = await fetch(`${s.server.url}/api/status`, { method: 'POST', headers: bearer });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('a port in use is E_PORTAL_LISTEN naming the port and the setting, and the caller goes on', async () => {
    const s = await setup();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const result = await startPortal({
      portal: { ...s.config.portal, port },
      endpoint: { port, host: '127.0.0.1', origin: '/w/.fleetai/orchestrator.json' },
      stateDir: s.paths.stateDir,
      env: () => ({}),
      remote: s.remote,
      log: s.log,
    });
    expect(result).toBeInstanceOf(Error);
    expect((result as Error & { code: string }).code).toBe('E_PORTAL_LISTEN');
    expect((result as Error).message).toContain(`port ${port}`);
    expect((result as Error).message).toContain('portal.port');
    expect((result as Error).message).toContain('/w/.fleetai/orchestrator.json');
    expect(s.log.lines.some((l) => l.event === 'portal.start_failed')).toBe(true);
    // The supervisor is untouched: it still queues and types.
    await s.orchestrator.submit({ pane: 'p1', text: 'still here', source: 'cli' });
    await until(() => s.fleet.typed.some((t) => t.text === 'still here'), 'the supervisor going on');
  });
});
