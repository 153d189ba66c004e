// Records what the real Codex app-server daemon says to a second client while the real Codex TUI works, for the
// unit tests of FleetAI's protocol mapping (test/unit/agents/codexProtocolMapping.test.ts).
//
// For each scenario it starts the real Codex CLI (node_modules/.bin/codex) in a pty (node-pty, 120x40, a headless
// xterm answering its terminal queries) against the fake model server, waits for the daemon's control socket
// ($CODEX_HOME/app-server-control/app-server-control.sock), lets the TUI initialize first (whoever initializes
// first names the daemon's originator), connects as a WebSocket client over that unix socket, initializes,
// finds the TUI's thread (thread/loaded/list + thread/read, by cwd), subscribes to it (thread/resume with
// excludeTurns), types the scenario's prompt into the TUI the way FleetAI does, answers the approval the
// scenario says (through the protocol, or with a key in the TUI), and waits for the turn to end.
//
// Every message of that connection, both ways and in order, is written to
// test/fixtures/codex-protocol/<scenario>.json (answers to thread/resume without the thread's turns). Paths are replaced by placeholders (<workdir>,
// <codexHome>, <home>); ids and timestamps are kept as the daemon sent them.
//
//   node test/tools/record-codex-protocol.mjs [--scenarios plain,approval-accept,...] [--out DIR] [--keep]
//
// Scenarios: plain, approval-accept, approval-decline, approval-cancel, approval-session, approval-keys,
// approval-second-turn, http500, http429. About 15 s each. Every run ends the CLI and every process carrying the
// run's marker (the daemon too).
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import * as prettier from 'prettier';
import WebSocket from 'ws';
import { startFakeModel } from '../fixtures/fake-model/server.mjs';
import { prepare, repoRoot, stopStarted, versions } from '../fixtures/agents-env/index.mjs';

const SCENARIOS = {
  plain: { prompt: 'fake:plain Say hello.' },
  'approval-accept': {
    prompt: 'fake:approval Create the file approved.txt.',
    answer: { decision: 'accept' },
  },
  'approval-decline': {
    prompt: 'fake:approval Create the file approved.txt.',
    answer: { decision: 'decline' },
  },
  'approval-cancel': {
    prompt: 'fake:approval Create the file approved.txt.',
    answer: { decision: 'cancel' },
  },
  'approval-session': {
    prompt: 'fake:approval Create the file approved.txt.',
    answer: { decision: 'acceptForSession' },
  },
  // Answered in the TUI with its key: the second client only sees serverRequest/resolved.
  'approval-keys': { prompt: 'fake:approval Create the file approved.txt.', keys: 'y' },
  // The approval in the thread's second turn, when this client has been subscribed since the first.
  'approval-second-turn': {
    before: ['fake:plain Say hello.'],
    prompt: 'fake:approval Create the file approved.txt.',
    answer: { decision: 'accept' },
  },
  http500: { prompt: 'fake:http500 Fail.', retries: 1 },
  http429: { prompt: 'fake:http429 Too many.', retries: 1 },
};

const { values: opts } = parseArgs({
  options: {
    scenarios: { type: 'string', default: Object.keys(SCENARIOS).join(',') },
    out: { type: 'string', default: path.join(repoRoot, 'test/fixtures/codex-protocol') },
    keep: { type: 'boolean', default: false },
  },
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, predicate, timeoutMs, screen) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`no ${what} within ${timeoutMs} ms\n${screen?.() ?? ''}`);
    await sleep(100);
  }
}

async function record(name) {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  const server = await startFakeModel();
  const root = path.join(repoRoot, 'test-results/record-codex-protocol');
  mkdirSync(root, { recursive: true });
  const workdir = path.join(root, `ws-${name}-${Date.now()}`);
  const spec = prepare.codex({
    baseUrl: server.url,
    workdir,
    root,
    ...(scenario.retries !== undefined ? { retries: scenario.retries } : {}),
  });
  const term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  const proc = pty.spawn(spec.command, spec.args, {
    cols: 120,
    rows: 40,
    cwd: workdir,
    env: spec.env,
    name: 'xterm-256color',
  });
  proc.onData((d) => term.write(d));
  term.onData((reply) => proc.write(reply));
  const screen = () => {
    const b = term.buffer.active;
    const rows = [];
    for (let i = 0; i < term.rows; i++) rows.push(b.getLine(b.baseY + i)?.translateToString(true) ?? '');
    return rows.join('\n');
  };
  const messages = [];
  let ws;
  try {
    const socket = path.join(spec.codexHome, 'app-server-control/app-server-control.sock');
    await until('daemon socket', () => existsSync(socket), 90_000, screen);
    // The TUI started the daemon and connects at once; let it initialize before this client does.
    await sleep(1500);
    // The link's own path can be longer than a unix socket address may be (108 bytes): connect to its target,
    // which Codex keeps short (/tmp/codex-daemon-<uid>/<hash>) for that reason.
    ws = new WebSocket(`ws+unix:${realpathSync(socket)}:/`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    let nextId = 1;
    const pending = new Map();
    let serverRequest;
    let turnDone = false;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined && !msg.method) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        messages.push({ dir: 'in', response: p?.method, msg: trimResponse(p?.method, msg) });
        p?.resolve(msg);
        return;
      }
      messages.push({ dir: 'in', msg });
      if (msg.method && msg.id !== undefined) serverRequest = msg;
      if (msg.method === 'turn/completed') turnDone = true;
    });
    const call = (method, params) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { method, resolve });
        const msg = { id, method, params };
        messages.push({ dir: 'out', msg });
        ws.send(JSON.stringify(msg));
      });
    const init = await call('initialize', {
      clientInfo: { name: 'fleetai', title: 'FleetAI', version: 'recorder' },
      capabilities: { experimentalApi: false, requestAttestation: false },
    });
    if (String(init.result?.userAgent).startsWith('fleetai/'))
      console.warn(
        `${name}: this client initialized before the TUI (the daemon's originator is now fleetai)`,
      );
    ws.send(JSON.stringify({ method: 'initialized' }));
    await until('the TUI composer', () => /Ask Codex to do anything/.test(screen()), 60_000, screen);
    // Codex shows its composer, then works a moment longer while its session starts, and ignores Enter then.
    await sleep(2000);
    const threadId = await until(
      'the TUI thread',
      async () => {
        const list = await call('thread/loaded/list', {});
        for (const id of list.result?.data ?? []) {
          const read = await call('thread/read', { threadId: id });
          const t = read.result?.thread;
          if (t && !t.ephemeral && !t.parentThreadId && t.cwd === path.resolve(workdir)) return id;
        }
        return undefined;
      },
      30_000,
      screen,
    );
    // A thread has no rollout until its first message: thread/resume fails until then ("no rollout found"), so it
    // is retried whenever the thread's status changes (thread/status/changed reaches every client).
    let subscribed = false;
    const subscribe = async () => {
      if (subscribed) return;
      const res = await call('thread/resume', { threadId, excludeTurns: true });
      subscribed = !res.error;
    };
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.method === 'thread/status/changed' && msg.params?.threadId === threadId) void subscribe();
    });
    await subscribe();
    for (const prompt of scenario.before ?? []) {
      turnDone = false;
      proc.write(prompt);
      await sleep(600);
      proc.write('\r');
      await until('turn/completed', () => turnDone, 120_000, screen);
      await sleep(2000);
    }
    turnDone = false;
    proc.write(scenario.prompt);
    await sleep(600);
    proc.write('\r');
    if (scenario.answer || scenario.keys) {
      await until('the approval request', () => serverRequest, 60_000, screen);
      await until('the approval prompt', () => /Would you like to run/.test(screen()), 30_000, screen);
      if (scenario.answer) {
        const msg = { id: serverRequest.id, result: scenario.answer };
        messages.push({ dir: 'out', msg });
        ws.send(JSON.stringify(msg));
      } else proc.write(scenario.keys);
    }
    await until('turn/completed', () => turnDone, 120_000, screen);
    await sleep(1000);
    console.log(
      `${name}: ${messages.length} messages; approved.txt ${existsSync(path.join(workdir, 'approved.txt')) ? 'exists' : 'absent'}`,
    );
    console.log(
      screen()
        .split('\n')
        .filter((l) => l.trim())
        .slice(-12)
        .join('\n'),
    );
  } catch (error) {
    for (const m of messages)
      console.error(
        `  ${m.dir} ${m.msg.method ?? `#${m.msg.id} ${m.response ?? ''}`} ${JSON.stringify(m.msg.params ?? m.msg.result ?? m.msg.error ?? {}).slice(0, 160)}`,
      );
    throw error;
  } finally {
    ws?.close();
    proc.kill();
    term.dispose();
    await stopStarted(spec);
    if (!opts.keep) {
      spec.cleanup();
    }
    await server.close();
  }
  const doc = {
    codexVersion: versions.codex,
    scenario: name,
    prompt: scenario.prompt,
    ...(scenario.answer ? { answeredWith: scenario.answer } : {}),
    ...(scenario.keys ? { answeredWithKeys: scenario.keys } : {}),
    recordedWith: 'node test/tools/record-codex-protocol.mjs',
    messages,
  };
  const file = path.join(opts.out, `${name}.json`);
  const text = sanitise(JSON.stringify(doc, null, 2), { workdir: path.resolve(workdir), spec });
  mkdirSync(opts.out, { recursive: true });
  // Written as the repository's formatter would, so `prettier --check` passes on a fresh recording.
  writeFileSync(
    file,
    await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file }),
  );
}

/** Keeps answers small: the thread without its turns and instructions. */
function trimResponse(method, msg) {
  if (method === 'thread/resume' && msg.result) {
    const { thread } = msg.result;
    return { id: msg.id, result: { thread: { ...thread, turns: [] }, model: msg.result.model } };
  }
  return msg;
}

function sanitise(text, { workdir, spec }) {
  const replace = (s, from, to) => s.split(from).join(to);
  let out = replace(text, workdir, '<workdir>');
  out = replace(out, spec.codexHome, '<codexHome>');
  out = replace(out, spec.home, '<home>');
  out = replace(out, repoRoot, '<repo>');
  return out;
}

for (const name of opts.scenarios.split(',').filter(Boolean)) {
  try {
    await record(name);
  } catch (error) {
    console.error(`${name}: ${error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
