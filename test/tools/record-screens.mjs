// Records what the real agent CLIs show, for the state detector's fixtures.
//
// For each agent (codex, claude, gemini) and scenario it starts the CLI in a pty (node-pty, 120x40) against the
// fake model server, feeds its output into a headless xterm, types a prompt the way FleetAI does (the text, a
// pause of 600 ms, then Enter), waits for the scenario's moment and writes the visible screen (viewport rows,
// trailing spaces trimmed) and the terminal title to test/fixtures/screens/<agent>/<name>.txt:
//
//   title: <title, trailing spaces trimmed>
//   ---
//   <screen>
//
// Every run ends the CLI's process group and every process that carries the run's marker (Codex's app-server
// daemon included). A timeline of every distinct screen and the server's requests go to
// test-results/screens/<agent>/<scenario>.log for a look at what happened in between.
//
//   node test/tools/record-screens.mjs [--agents codex,claude,gemini]
//     [--scenarios startup,trust,plain,slow,approval,stall,http500,http429]
//     [--out test/fixtures/screens] [--logs test-results/screens] [--keep] [--give-up-wait SECONDS]
//
// About 20 minutes for everything (Gemini's stall and error scenarios take 2-3 minutes each: it never gives up).
// Homes and the workspace live in test-results/record-screens/ and are removed after each scenario (--keep
// keeps them); Codex copies its 400 MB app-server daemon into each fresh CODEX_HOME.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import { startFakeModel } from '../fixtures/fake-model/server.mjs';
import { prepare, repoRoot, stopStarted, versions } from '../fixtures/agents-env/index.mjs';

const COLS = 120;
const ROWS = 40;
const ALL_AGENTS = ['codex', 'claude', 'gemini'];
const ALL_SCENARIOS = ['startup', 'trust', 'plain', 'slow', 'approval', 'stall', 'http500', 'http429'];

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: ALL_AGENTS.join(',') },
    scenarios: { type: 'string', default: ALL_SCENARIOS.join(',') },
    out: { type: 'string', default: path.join(repoRoot, 'test/fixtures/screens') },
    logs: { type: 'string', default: path.join(repoRoot, 'test-results/screens') },
    keep: { type: 'boolean', default: false },
    // How long to wait for a CLI to give up after errors or a stall (seconds; default per agent).
    'give-up-wait': { type: 'string' },
  },
});

/**
 * What each CLI shows, as far as the recorder needs it to know a moment has come. These are only waits: the
 * screen is written whatever matched, and a moment that never came is reported.
 */
const AGENTS = {
  codex: {
    ready: /Ask Codex to do anything/,
    approval: /Would you like to run the following command\?/,
    approveKey: 'y',
    turnDone: /Worked for /,
    // `Reconnecting... 1/2` (500, stream errors), `Server is busy, reconnecting 2/2` (429)
    retrying: /reconnecting/i,
    failed: /^■ /m,
    // With approval_policy and sandbox_mode in config.toml, 0.169 asks no trust question for an unknown folder.
    asksTrust: false,
  },
  claude: {
    ready: /\? for shortcuts/,
    approval: /Do you want to proceed\?/,
    approveKey: '1',
    turnDone: /✻ \S+ for /,
    retrying: /retrying in|attempt \d+\/\d+/i,
    failed: /API Error/,
    stalled: /Waiting for API response/,
    // 2.1.329 asked nothing for a folder missing from .claude.json's projects.
    asksTrust: false,
  },
  gemini: {
    ready: /Type your message/,
    approval: /Allow execution of/,
    approveKey: '1',
    turnDone: /Type your message/,
    retrying: /[Rr]etry|[Aa]ttempt \d+/,
    failed: /API Error|✕/,
    asksTrust: true,
  },
};

const PROMPTS = {
  plain: 'fake:plain Say hello in one short sentence.',
  slow: 'fake:slow Write a slow answer.',
  approval: 'fake:approval Create the file approved.txt.',
  stall: 'fake:stall This answer never ends.',
  http500: 'fake:http500 The server fails.',
  http429: 'fake:http429 The server is rate limited.',
};

/** What each screen shows, for index.json (the recorder's notes are added to it). */
const MOMENTS = {
  startup: 'idle after start, before any prompt',
  trust: 'first start in a folder not yet trusted: the trust question',
  plain: 'idle after a short plain answer',
  slow: 'working: the model has said nothing yet',
  'slow-streaming': 'working: the answer is streaming',
  'slow-done': 'idle after the slow answer',
  approval: 'waiting for approval to run `touch approved.txt`',
  'approval-approved': 'idle after the approve key was pressed, the command ran and the model answered',
  stall: 'the model stream is open and silent',
  'stall-later':
    'later in the same stall: its stall notice (Claude), its first reconnect after a 20 s idle timeout (Codex), or the same screen 40 s on (Gemini)',
  'stall-final': 'after the reconnects of a stall were used up (Codex)',
  http500: 'the model answered HTTP 500: retrying',
  'http500-final': 'after the HTTP 500 retries were used up',
  http429: 'the model answered HTTP 429 (retry-after: 1): retrying',
  'http429-final': 'after the HTTP 429 retries were used up',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Session {
  constructor(agent, scenario, spec, workdir, server, logFile) {
    this.agent = agent;
    this.scenario = scenario;
    this.spec = spec;
    this.server = server;
    this.logFile = logFile;
    this.timeline = [];
    this.started = Date.now();
    this.title = '';
    this.exited = undefined;
    this.term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 2000 });
    this.term.onTitleChange((t) => {
      this.title = t;
    });
    this.pty = pty.spawn(spec.command, spec.args, {
      name: 'xterm-256color',
      cols: COLS,
      rows: ROWS,
      cwd: workdir,
      env: spec.env,
    });
    this.pty.onData((d) => this.term.write(d));
    this.pty.onExit((e) => {
      this.exited = e;
      this.note(`process exited ${JSON.stringify(e)}`);
    });
    this.lastScreen = '';
    this.lastChange = Date.now();
    /** Every distinct snapshot with its time, to pick a moment that has already passed. */
    this.history = [];
    this.poll = setInterval(() => this.sample(), 100);
  }

  elapsed() {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }

  note(line) {
    this.timeline.push(`[${this.elapsed()}s] ${line}`);
  }

  screen() {
    const b = this.term.buffer.active;
    const rows = [];
    for (let i = 0; i < this.term.rows; i++)
      rows.push((b.getLine(b.viewportY + i)?.translateToString(true) ?? '').trimEnd());
    while (rows.length && rows[rows.length - 1] === '') rows.pop();
    return rows.join('\n');
  }

  snapshot() {
    return `title: ${this.title.trimEnd()}\n---\n${this.screen()}\n`;
  }

  sample() {
    // Still means the screen rows: titles blink (Codex's `[ ! ]`/`[ . ] Action Required`) and spin.
    const screen = this.screen();
    if (screen !== this.lastScreen) {
      this.lastScreen = screen;
      this.lastChange = Date.now();
      const snap = this.snapshot();
      this.history.push({ time: Date.now(), screen, snap });
      this.timeline.push(`[${this.elapsed()}s] screen\n${snap}`);
    } else if (this.title !== this.lastTitle) {
      this.timeline.push(`[${this.elapsed()}s] title: ${this.title.trimEnd()}`);
    }
    this.lastTitle = this.title;
  }

  async type(text) {
    this.note(`type ${JSON.stringify(text)}`);
    this.pty.write(text);
    await sleep(600);
    this.note('press Enter');
    this.pty.write('\r');
  }

  press(key) {
    this.note(`press ${JSON.stringify(key)}`);
    this.pty.write(key);
  }

  /** Waits until fn() is true (checked every 100 ms); false on timeout or exit. */
  async until(fn, timeoutMs, what) {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (fn()) return true;
      if (this.exited) break;
      await sleep(100);
    }
    this.note(`gave up waiting for ${what} after ${timeoutMs} ms`);
    return false;
  }

  /** Waits until the screen has not changed for quietMs. */
  stable(quietMs, timeoutMs, what = 'a still screen') {
    return this.until(() => Date.now() - this.lastChange >= quietMs, timeoutMs, what);
  }

  shows(re) {
    return re.test(this.screen());
  }

  mainRequests(from = 0) {
    return this.server.requests.slice(from).filter((r) => r.behaviour && !r.aux);
  }

  async stop() {
    clearInterval(this.poll);
    try {
      process.kill(-this.pty.pid, 'SIGTERM');
    } catch {
      // its group is gone
    }
    await sleep(300);
    try {
      process.kill(-this.pty.pid, 'SIGKILL');
    } catch {
      // its group is gone
    }
    const { ended, killed } = await stopStarted(this.spec);
    if (ended.length)
      this.note(`ended leftover processes ${ended.join(' ')} (SIGKILL: ${killed.join(' ') || 'none'})`);
    this.term.dispose();
  }
}

/** Waits until no model request came for quietMs and the screen has been still for 3 s. */
function untilQuiet(s, reqStart, quietMs, timeoutMs) {
  let count = s.mainRequests(reqStart).length;
  let lastGrowth = Date.now();
  return s.until(
    () => {
      const n = s.mainRequests(reqStart).length;
      if (n !== count) {
        count = n;
        lastGrowth = Date.now();
      }
      return Date.now() - lastGrowth > quietMs && Date.now() - s.lastChange > 3000;
    },
    timeoutMs,
    'the requests to stop',
  );
}

/** One scenario: returns the screens to write, keyed by file name. */
async function runScenario(agent, scenario, ctx) {
  const profile = AGENTS[agent];
  const { server, workdir } = ctx;
  rmSync(path.join(workdir, 'approved.txt'), { force: true });
  const reqStart = server.requests.length;
  const spec = ctx.spec;
  const logFile = path.join(opts.logs, agent, `${scenario}.log`);
  const s = new Session(agent, scenario, spec, workdir, server, logFile);
  const shots = {};
  const notes = [];
  const shoot = (name, note) => {
    shots[name] = s.snapshot();
    s.note(`captured ${name}${note ? ` (${note})` : ''}`);
    if (note) notes.push(`${name}: ${note}`);
  };
  try {
    const ready =
      scenario === 'trust'
        ? await s.until(() => s.shows(/trust/i), 20_000, 'the trust question')
        : await s.until(() => s.shows(profile.ready) && s.title !== '', 60_000, 'the input prompt');
    await s.stable(scenario === 'startup' ? 4000 : 2000, 20_000);
    if (!ready) notes.push('startup: input prompt not seen');
    if (scenario === 'startup' || scenario === 'trust') {
      shoot(scenario);
      return { shots, notes, s };
    }
    await s.type(PROMPTS[scenario]);
    const gotRequest = await s.until(() => s.mainRequests(reqStart).length > 0, 30_000, 'the model request');
    if (!gotRequest) notes.push(`${scenario}: the CLI sent no model request`);
    const t0 = Date.now();

    if (scenario === 'plain') {
      await s.until(() => s.shows(/short plain answer/) && s.shows(profile.turnDone), 30_000, 'the answer');
      await s.stable(2000, 15_000);
      shoot('plain');
    } else if (scenario === 'slow') {
      // The fake model stays silent for 4 s, then streams words for 12 s.
      await s.until(() => Date.now() - t0 >= 3000, 5000, 'the thinking phase');
      shoot('slow', 'working, before the first word (3 s into the turn)');
      await s.until(() => s.shows(/word6/), 15_000, 'streamed words');
      await sleep(1000);
      shoot('slow-streaming', 'working, while the answer streams');
      await s.until(
        () => s.shows(/Finished the slow answer/) && s.shows(profile.turnDone),
        30_000,
        'the end',
      );
      await s.stable(2000, 15_000);
      shoot('slow-done');
    } else if (scenario === 'approval') {
      const asked = await s.until(() => s.shows(profile.approval), 30_000, 'the approval prompt');
      await s.stable(1500, 10_000);
      shoot('approval', asked ? '' : 'approval prompt NOT seen');
      s.press(profile.approveKey);
      await s.until(
        () => s.server.requests.slice(reqStart).some((r) => r.toolResult && !r.aux),
        30_000,
        'the tool result',
      );
      await s.until(
        () => s.shows(/The command ran\. Done\./) && s.shows(profile.turnDone),
        30_000,
        'the answer',
      );
      await s.stable(2000, 15_000);
      const ran = existsSync(path.join(workdir, 'approved.txt'));
      shoot('approval-approved', ran ? 'approved.txt was created' : 'approved.txt was NOT created');
    } else if (scenario === 'stall') {
      await sleep(10_000);
      shoot('stall', 'stream open, silent for 10 s');
      // What the CLI shows later in the stall: its own stall notice where it has one (Claude), else what follows
      // the first retry (Codex, given a 20 s stream idle timeout), else just the same screen later (Gemini).
      const before = s.mainRequests(reqStart).length;
      const seen = await s.until(
        () => (profile.stalled ? s.shows(profile.stalled) : s.mainRequests(reqStart).length > before),
        ctx.stallWaitMs,
        'a stall notice or a retry',
      );
      await sleep(profile.stalled ? 500 : 3000);
      const secs = Math.round((Date.now() - t0) / 1000);
      shoot('stall-later', `${secs} s into the stall${seen ? '' : ', nothing new shown'}`);
      if (ctx.stallFinal) {
        const ended = await untilQuiet(s, reqStart, ctx.stallEndQuietMs, ctx.giveUpWaitMs);
        const n = s.mainRequests(reqStart).length;
        const at = Math.round((Date.now() - t0) / 1000);
        shoot('stall-final', `${at} s into the stall, ${n} requests${ended ? '' : ', still going'}`);
      }
    } else if (scenario === 'http500' || scenario === 'http429') {
      // Retry notices can flash by (Codex retries a 500 within 2 s): catch the first one. A CLI that fails
      // without one gets the last screen before its failure message instead.
      await s.until(() => s.shows(profile.retrying) || s.shows(profile.failed), 10_000, 'a retry notice');
      const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s after the first request`;
      if (s.shows(profile.retrying)) {
        await sleep(200);
        shoot(scenario, `first retry notice, ${secs()}`);
      } else if (s.shows(profile.failed)) {
        const before = s.history.filter((h) => h.time >= t0 && !profile.failed.test(h.screen)).at(-1);
        shots[scenario] = before?.snap ?? s.snapshot();
        const at = before ? `${((before.time - t0) / 1000).toFixed(1)} s` : 'now';
        s.note(`captured ${scenario} from the history (${at})`);
        notes.push(
          `${scenario}: no retry notice; the last screen before the failure (${at} after the first request)`,
        );
      } else {
        shoot(scenario, `no retry notice seen, ${secs()}`);
      }
      // Retries are bounded by the recorder (see prepare options); wait for the requests to stop.
      const ended = await untilQuiet(s, reqStart, ctx.quietAfterErrorsMs, ctx.giveUpWaitMs);
      const n = s.mainRequests(reqStart).length;
      shoot(
        `${scenario}-final`,
        `${n} requests, all answered ${scenario.slice(4)}${ended ? '' : ', still retrying'}`,
      );
    }
    return { shots, notes, s };
  } finally {
    await s.stop();
    const reqs = server.requests.slice(reqStart).map((r) => {
      const { time, ...rest } = r;
      return `${((time - s.started) / 1000).toFixed(1)}s ${JSON.stringify(rest)}`;
    });
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, `${s.timeline.join('\n')}\n\n== requests ==\n${reqs.join('\n')}\n`);
  }
}

const SCENARIO_SETTINGS = {
  // Bounded retries, so the final failure screens come within a minute where the CLI lets them be bounded.
  codex: {
    retries: 2,
    // Default 5 minutes; 20 s shows the stall's reconnects and final failure within a minute.
    streamIdleTimeoutMs: 20_000,
    stallWaitMs: 40_000,
    stallFinal: true,
    stallEndQuietMs: 25_000,
    quietAfterErrorsMs: 8000,
    giveUpWaitMs: 150_000,
  },
  // Claude keeps its default stream idle timeout (about 5 minutes): after about 45 s of silence it says
  // `Waiting for API response · will retry in 4m 15s · check your network`, which is what stall-later shows.
  // (With CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS=60000 it re-sends the request without streaming after 60 s and,
  // when that one stalls as well, ends with `API Error: stream idle: no bytes for 60000ms`.)
  claude: {
    retries: 2,
    stallWaitMs: 90_000,
    stallFinal: false,
    quietAfterErrorsMs: 20_000,
    giveUpWaitMs: 240_000,
  },
  // Gemini 0.61.0's TUI has no stream idle timeout and retries a 500/429 silently without end (measured: 236
  // requests in 20 minutes, still "Thinking..."; general.maxAttempts bounds only `gemini -p`), so its "-final"
  // screens are taken after two minutes.
  gemini: {
    retries: 2,
    stallWaitMs: 30_000,
    stallFinal: false,
    quietAfterErrorsMs: 40_000,
    giveUpWaitMs: 120_000,
  },
};

async function recordAgent(agent, scenarios, summary) {
  const server = await startFakeModel();
  const settings = SCENARIO_SETTINGS[agent];
  // Its own folder (not test-results/agents-env, which tests share): the workspace path shows on the screens,
  // so it stays the same from run to run.
  const root = path.join(repoRoot, 'test-results/record-screens');
  const outDir = path.join(opts.out, agent);
  mkdirSync(outDir, { recursive: true });
  // index.json says what each screen is; a partial run updates only its own entries.
  const indexFile = path.join(outDir, 'index.json');
  const index = existsSync(indexFile) ? JSON.parse(readFileSync(indexFile, 'utf8')) : { screens: {} };
  try {
    for (const scenario of scenarios) {
      if (scenario === 'trust' && !AGENTS[agent].asksTrust) {
        console.log(`${agent} trust: skipped (this CLI asks no trust question)`);
        continue;
      }
      // A fresh home and workspace for every scenario: nothing carries over from the one before.
      const workRoot = path.join(root, agent);
      rmSync(workRoot, { recursive: true, force: true });
      const workdir = path.join(workRoot, 'fleet-ws');
      mkdirSync(workdir, { recursive: true });
      execFileSync('git', ['init', '-q', workdir]);
      const spec = prepare[agent]({
        baseUrl: server.url,
        workdir,
        root,
        trusted: scenario !== 'trust',
        retries: settings.retries,
        streamIdleTimeoutMs: settings.streamIdleTimeoutMs,
      });
      const started = Date.now();
      process.stdout.write(`${agent} ${scenario} ... `);
      let res;
      try {
        const giveUpWaitMs = opts['give-up-wait']
          ? Number(opts['give-up-wait']) * 1000
          : settings.giveUpWaitMs;
        res = await runScenario(agent, scenario, { server, workdir, spec, ...settings, giveUpWaitMs });
      } catch (err) {
        console.log(`failed: ${err?.stack ?? err}`);
        summary.push({ agent, scenario, error: String(err) });
        continue;
      } finally {
        if (!opts.keep) {
          spec.cleanup();
          rmSync(workRoot, { recursive: true, force: true });
        }
      }
      for (const [name, text] of Object.entries(res.shots)) {
        writeFileSync(path.join(outDir, `${name}.txt`), text);
        const note = res.notes.filter((n) => n.startsWith(`${name}:`)).map((n) => n.slice(name.length + 2));
        index.screens[`${name}.txt`] = {
          scenario,
          prompt: PROMPTS[scenario] ?? null,
          moment: [MOMENTS[name], ...note].filter(Boolean).join('; '),
          recorded: new Date().toISOString().slice(0, 10),
        };
      }
      console.log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${Object.keys(res.shots).join(', ')}`);
      for (const n of res.notes) console.log(`    ${n}`);
      summary.push({ agent, scenario, files: Object.keys(res.shots), notes: res.notes });
    }
  } finally {
    const screens = Object.fromEntries(Object.entries(index.screens).sort(([a], [b]) => a.localeCompare(b)));
    const { agent: _a, version: _v, cols: _c, rows: _r, screens: _s, ...rest } = index;
    const out = { agent, version: versions[agent], cols: COLS, rows: ROWS, ...rest, screens };
    writeFileSync(indexFile, `${JSON.stringify(out, null, 2)}\n`);
    await server.close();
  }
}

const agents = opts.agents.split(',').filter(Boolean);
const scenarios = opts.scenarios.split(',').filter(Boolean);
for (const a of agents) if (!AGENTS[a]) throw new Error(`unknown agent ${a}`);
for (const sc of scenarios) if (!ALL_SCENARIOS.includes(sc)) throw new Error(`unknown scenario ${sc}`);
const summary = [];
for (const agent of agents) await recordAgent(agent, scenarios, summary);
mkdirSync(opts.logs, { recursive: true });
writeFileSync(
  path.join(opts.logs, 'summary.json'),
  `${JSON.stringify({ versions, cols: COLS, rows: ROWS, recorded: new Date().toISOString(), summary }, null, 2)}\n`,
);
console.log(`timelines in ${path.relative(repoRoot, opts.logs)}/`);
