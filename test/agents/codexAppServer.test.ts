import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attachCodexAppServer, type CodexAttachment } from '../../extension/core/agents/codex/codexAttach';
import { loadProfiles } from '../../extension/core/agents/profiles';
import { resolveAgent } from '../../extension/core/agents/resolveAgent';
import { createMemoryLog } from '../../extension/core/observability/appLog';
import { nodePtyHost } from '../../extension/core/panes/ptyHost';
import { SupervisedPane } from '../../extension/core/panes/supervisedPane';
import type { PaneStateEvent } from '../../extension/core/panes/types';
import {
  prepare,
  repoRoot,
  startedPids,
  stopStarted,
  type AgentSpec,
} from '../fixtures/agents-env/index.mjs';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';
import { sleep, WatchRun } from './harness';

// The real Codex CLI 0.169.0 (its TUI, and the app-server daemon it starts) against the fake model server, with
// FleetAI attached to the daemon as a second client: states come from Codex's protocol, approvals are answered
// through it, and the TUI follows.

const APPROVAL_PROMPT = 'Would you like to run the following command?';

/** A supervised pane running the real Codex, in this process, with the app-server attachment. */
class CodexPane {
  server!: FakeModelServer;
  spec!: AgentSpec;
  workdir!: string;
  sp!: SupervisedPane;
  attachment!: CodexAttachment;
  readonly log = createMemoryLog();
  readonly events: PaneStateEvent[] = [];

  static async start(extraArgs: string[] = []): Promise<CodexPane> {
    const c = new CodexPane();
    c.server = await startFakeModel();
    const root = path.join(repoRoot, 'test-results/agents-env');
    c.workdir = path.join(root, `codex-protocol-ws-${process.pid}-${Date.now()}`);
    c.spec = prepare.codex({ baseUrl: c.server.url, workdir: c.workdir, root, extraArgs });
    if (!existsSync(c.spec.command)) throw new Error(`${c.spec.command} is missing: run npm ci`);
    const loaded = await loadProfiles({ builtinDir: path.join(repoRoot, 'agents-config') });
    const resolved = await resolveAgent(loaded, {
      kind: 'codex',
      command: c.spec.command,
      args: c.spec.args,
      env: c.spec.env,
    });
    c.sp = new SupervisedPane({
      id: 'codex-protocol',
      command: c.spec.command,
      args: c.spec.args,
      cwd: c.workdir,
      env: c.spec.env,
      cols: 120,
      rows: 40,
      profile: resolved.profile,
      ptyHost: nodePtyHost(),
      log: c.log,
      // Nothing else renders this pane: the headless screen answers Codex's terminal queries.
      answerQueries: true,
    });
    c.sp.onState((e) => c.events.push(e));
    c.attachment = attachCodexAppServer(c.sp, {
      codexHome: c.spec.codexHome ?? '',
      cwd: c.workdir,
      args: c.spec.args,
      log: c.log,
    });
    c.sp.attach(c.attachment);
    return c;
  }

  screen(): string {
    return this.sp.pane.snapshot().lines.join('\n');
  }

  states(from = 0): string {
    return this.events
      .slice(from)
      .map((e) => `${e.to} (${e.reason})`)
      .join(' > ');
  }

  async waitFor(
    predicate: (e: PaneStateEvent) => boolean,
    what: string,
    from = 0,
    timeoutMs = 60_000,
  ): Promise<PaneStateEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(predicate);
      if (hit) return hit;
      if (Date.now() > end) {
        throw new Error(
          `no ${what} within ${timeoutMs} ms; states: ${this.states()}\nscreen:\n${this.screen()}`,
        );
      }
      await sleep(50);
    }
  }

  async until(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end)
        throw new Error(`no ${what} within ${timeoutMs} ms; states: ${this.states()}\n${this.screen()}`);
      await sleep(50);
    }
  }

  /**
   * Waits for Codex's composer, a quiet moment, and the attachment having found the TUI's thread (or given up):
   * Codex draws its composer before its daemon is up, and ignores Enter until its session has started.
   */
  async settled(quietMs = 2000, timeoutMs = 90_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const state = this.sp.state;
      const attached =
        this.attachment.threadId !== undefined || this.attachment.status.state === 'unavailable';
      if (attached && state.name === 'awaiting_input' && Date.now() - Date.parse(state.since) >= quietMs)
        return;
      if (Date.now() > end) throw new Error(`codex did not settle: ${this.states()}\n${this.screen()}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    await this.sp?.dispose();
    if (this.spec) {
      await stopStarted(this.spec);
      this.spec.cleanup();
    }
    await this.server?.close();
  }
}

let codex: CodexPane | undefined;
afterEach(async () => {
  await codex?.stop();
  const left = codex ? startedPids(codex.spec) : [];
  codex = undefined;
  expect(left, 'processes of the Codex run still alive').toEqual([]);
});

async function approvalTurn(c: CodexPane): Promise<{ start: number; approval: PaneStateEvent }> {
  await c.settled();
  const start = c.events.length;
  expect(await c.sp.send('fake:approval Create the file approved.txt.')).toBe(true);
  const approval = await c.waitFor(
    (e) => e.to === 'awaiting_approval' && e.approval?.source === 'protocol',
    'an approval from the protocol',
    start,
  );
  // The TUI draws the same request: the answer must close it there.
  await c.until(() => c.screen().includes(APPROVAL_PROMPT), 'the TUI approval prompt');
  return { start, approval };
}

describe('Codex app-server attachment (real Codex TUI and daemon)', () => {
  it('approval from the protocol, answered through it: the TUI closes its prompt and runs the command', async () => {
    codex = await CodexPane.start();
    const c = codex;
    const { approval } = await approvalTurn(c);
    expect(approval.approval).toMatchObject({
      kind: 'command',
      source: 'protocol',
      command: 'touch approved.txt',
      reason: 'Create the file you asked for.',
    });
    expect(approval.approval?.channelId).toMatch(/^\d+$/);
    // Labelled and keyed like the TUI's own options, so keys would still answer it.
    expect(approval.approval?.options.map((o) => o.keys)).toEqual(['y', 'p', '\u001b']);
    expect(approval.approval?.options[0]?.label).toBe('Yes, proceed');
    expect(approval.evidence[0]).toContain('item/commandExecution/requestApproval');
    expect(c.attachment.status.state).toBe('attached');

    const answeredAt = c.events.length;
    expect(await c.sp.answerApproval('approve')).toEqual({ via: 'protocol' });
    const idle = await c.waitFor(
      (e) => e.to === 'awaiting_input',
      'awaiting_input after the answer',
      answeredAt,
    );
    expect(idle.reason).toBe('app-server turn/completed (completed)');
    await c.until(() => c.screen().includes('The command ran. Done.'), 'the answer after the command');
    expect(c.screen()).not.toContain(APPROVAL_PROMPT);
    expect(existsSync(path.join(c.workdir, 'approved.txt'))).toBe(true);
    const answered = c.log.lines.find((l) => l.event === 'codex.approval.answered');
    expect(answered?.context).toMatchObject({ decision: 'accept' });
    expect(c.log.lines.filter((l) => l.event === 'codex.attach.originator')).toEqual([]);
  });

  it('a denial through the protocol: the command does not run, the pane waits for input again', async () => {
    codex = await CodexPane.start();
    const c = codex;
    await approvalTurn(c);
    const answeredAt = c.events.length;
    expect(await c.sp.answerApproval('deny')).toEqual({ via: 'protocol' });
    await c.waitFor((e) => e.to === 'awaiting_input', 'awaiting_input after the denial', answeredAt);
    await c.until(() => !c.screen().includes(APPROVAL_PROMPT), 'the TUI closing its prompt');
    expect(existsSync(path.join(c.workdir, 'approved.txt'))).toBe(false);
    expect(c.log.lines.find((l) => l.event === 'codex.approval.answered')?.context).toMatchObject({
      decision: 'decline',
    });
    // Nothing pending any more: the channel says so, and the caller would fall back to keys.
    expect(await c.attachment.approvalChannel.answer('approve')).toBe(false);
  });

  it('the daemon restarting under a live pane: FleetAI reconnects, follows the same thread, answers again', async () => {
    codex = await CodexPane.start();
    const c = codex;
    await c.settled();
    const threadId = c.attachment.threadId;
    const statuses: string[] = [];
    c.attachment.onStatus((s) => statuses.push(s.state));
    execFileSync(c.spec.command, ['app-server', 'daemon', 'restart'], {
      env: c.spec.env,
      stdio: 'ignore',
      timeout: 60_000,
    });
    await c.until(() => statuses.includes('disconnected'), 'the connection to drop');
    await c.until(() => c.attachment.status.state === 'attached', 'the attachment to come back');
    expect(c.attachment.threadId).toBe(threadId);
    const { approval } = await approvalTurn(c);
    expect(approval.approval?.command).toBe('touch approved.txt');
    expect(await c.sp.answerApproval('approve')).toEqual({ via: 'protocol' });
    await c.until(() => existsSync(path.join(c.workdir, 'approved.txt')), 'approved.txt');
    // FleetAI let the TUI initialize the new daemon first: the daemon's originator is still the TUI's.
    expect(c.log.lines.filter((l) => l.event === 'codex.attach.originator')).toEqual([]);
  });

  it('the daemon dying under a live pane: an error (the TUI cannot work), retrying, instead of a calm screen', async () => {
    codex = await CodexPane.start();
    const c = codex;
    await c.settled();
    const start = c.events.length;
    const daemons = startedPids(c.spec).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--managed-daemon'),
    );
    expect(daemons).toHaveLength(1);
    for (const pid of daemons) process.kill(pid, 'SIGKILL');
    const error = await c.waitFor((e) => e.to === 'error', 'an error for the lost daemon', start, 30_000);
    expect(error.error).toMatchObject({ class: 'server', retrying: true });
    expect(error.reason).toContain('app-server daemon unreachable');
    // The TUI's own screen says it is reconnecting, and nothing else.
    await c.until(
      () => /Reconnecting to server/.test(c.screen()) || c.sp.state.name !== 'error',
      'the screen',
    );
    expect(c.sp.state.name).toBe('error');
  });

  it('codex started with a -c override: the protocol is unavailable (logged once), the screen still works', async () => {
    codex = await CodexPane.start(['-c', 'tui.disable_paste_burst=true']);
    const c = codex;
    await c.until(() => c.attachment.status.state === 'unavailable', 'the attachment giving up');
    const unavailable = c.log.lines.filter((l) => l.event === 'codex.attach.unavailable');
    expect(unavailable).toHaveLength(1);
    expect(JSON.stringify(unavailable[0]?.context)).toContain('-c/--config');
    const { start } = await (async () => {
      await c.settled();
      const s = c.events.length;
      expect(await c.sp.send('fake:approval Create the file approved.txt.')).toBe(true);
      return { start: s };
    })();
    const approval = await c.waitFor(
      (e) => e.to === 'awaiting_approval' && e.approval?.command !== undefined,
      'an approval read from the screen',
      start,
    );
    expect(approval.approval?.source ?? 'screen').toBe('screen');
    expect(approval.approval?.command).toBe('touch approved.txt');
    expect(await c.sp.answerApproval('approve')).toEqual({ via: 'keys', keys: 'y' });
    await c.waitFor((e) => e.to === 'awaiting_input', 'awaiting_input after the keys', start + 1);
    await c.until(() => existsSync(path.join(c.workdir, 'approved.txt')), 'approved.txt');
    expect(c.events.every((e) => !e.reason.startsWith('app-server'))).toBe(true);
  });
});

/** `fleet watch -- codex` (the built CLI) in a workspace that uses FleetAI, so its app log shows the attachment. */
class WatchedCodex {
  server!: FakeModelServer;
  spec!: AgentSpec;
  workdir!: string;
  run!: WatchRun;

  static async start(): Promise<WatchedCodex> {
    const w = new WatchedCodex();
    w.server = await startFakeModel();
    const root = path.join(repoRoot, 'test-results/agents-env');
    w.workdir = path.join(root, `codex-watch-ws-${process.pid}-${Date.now()}`);
    w.spec = prepare.codex({ baseUrl: w.server.url, workdir: w.workdir, root });
    mkdirSync(path.join(w.workdir, '.fleetai'), { recursive: true });
    w.run = new WatchRun([w.spec.command, ...w.spec.args], {
      cwd: w.workdir,
      env: w.spec.env,
      replaceEnv: true,
    });
    return w;
  }

  logEvents(): { event: string; context?: Record<string, unknown> }[] {
    const file = path.join(this.workdir, '.fleetai/logs/app.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; context?: Record<string, unknown> });
  }

  /** Codex waits for input, quietly, and FleetAI has found its thread on the daemon. */
  async ready(timeoutMs = 90_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const last = this.run.events().at(-1);
      const found = this.logEvents().some((l) => l.event === 'codex.attach.thread');
      if (found && last?.state === 'awaiting_input' && Date.now() - Date.parse(last.ts) >= 2000) return;
      if (Date.now() > end) {
        throw new Error(
          `not ready: ${JSON.stringify(this.run.events().slice(-3))}\n${JSON.stringify(this.logEvents().slice(-5))}\n${this.run.screen()}`,
        );
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.run?.dispose();
    if (this.spec) {
      await stopStarted(this.spec);
      this.spec.cleanup();
    }
    await this.server?.close();
  }
}

let watched: WatchedCodex | undefined;
afterEach(async () => {
  await watched?.stop();
  const left = watched ? startedPids(watched.spec) : [];
  watched = undefined;
  expect(left, 'processes of the Codex run still alive').toEqual([]);
});

describe('fleet watch -- codex with the app-server protocol (black box)', () => {
  it('a plain turn goes working then awaiting_input from the protocol; an approval carries source protocol', async () => {
    watched = await WatchedCodex.start();
    const w = watched;
    await w.ready();
    let start = w.run.events().length;
    await w.run.type('fake:plain Say hello.');
    // The first turn begins before FleetAI can subscribe (Codex has no rollout to resume until then): its start
    // is the status change every client receives.
    const working = await w.run.waitForState('working', 30_000, start);
    expect(working.reason).toBe('app-server thread/status/changed (active)');
    const idle = await w.run.waitForState('awaiting_input', 30_000, start + 1);
    expect(idle.reason).toBe('app-server turn/completed (completed)');
    expect(idle.evidence[0]).toContain('"status":"completed"');

    await w.ready();
    start = w.run.events().length;
    await w.run.type('fake:plain Say hello again.');
    // Subscribed now: the turn's own start; on a loaded machine Codex's terminal title can say "working" a moment
    // before the protocol's event arrives (CI saw it once), so either may open the turn. Its end must come from
    // the protocol.
    expect((await w.run.waitForState('working', 30_000, start)).reason).toMatch(
      /^(app-server turn\/started|working-title matched the terminal title)$/,
    );
    const again = await w.run.waitForState('awaiting_input', 30_000, start + 1);
    expect(again.reason).toBe('app-server turn/completed (completed)');

    await w.ready();
    start = w.run.events().length;
    await w.run.type('fake:approval Create the file approved.txt.');
    const approval = await w.run.waitFor(
      (e, i) => i >= start && e.state === 'awaiting_approval' && e.approval?.command !== undefined,
      'an approval with its command',
      30_000,
    );
    expect(approval.approval).toMatchObject({ source: 'protocol', command: 'touch approved.txt' });
    expect(approval.reason).toBe('app-server item/commandExecution/requestApproval');
    // Answered with the TUI's own key, once it has drawn its prompt (the protocol is the quicker of the two):
    // the daemon tells FleetAI the request is resolved.
    const drawnBy = Date.now() + 30_000;
    while (!w.run.screen().includes(APPROVAL_PROMPT) && Date.now() < drawnBy) await sleep(50);
    w.run.keys('y');
    const answered = w.run.events().length;
    const done = await w.run.waitForState('awaiting_input', 30_000, answered);
    expect(done.reason).toBe('app-server turn/completed (completed)');
    expect(existsSync(path.join(w.workdir, 'approved.txt'))).toBe(true);
    expect(w.logEvents().filter((l) => l.event === 'codex.attach.unavailable')).toEqual([]);
  });
});
