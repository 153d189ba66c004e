// Records the payloads the real agent CLIs hand to their hooks, for FleetAI's hook schemas and mapping
// (extension/core/agents/hooks/, test/unit/hooks/).
//
// Claude Code 2.1.329 (node_modules/.bin/claude) runs with `--settings <json>` that hooks every event to a shell
// script dumping its stdin; Codex 0.169.0 runs with `notify = [<script>, "hook"]` at the top of its config.toml
// (the way a user enables `fleet hook`), the script dumping its arguments. Both talk to the fake model server, in
// a pty (node-pty, 120x40, a headless xterm answering terminal queries), and each scenario types a prompt the way
// FleetAI does. Every payload is written in order, with the milliseconds since the scenario's action, to
// test/fixtures/hook-payloads/<agent>-<version>/<scenario>.json. Paths are replaced by placeholders (<workdir>,
// <home>); session and thread ids are kept as the CLI sent them.
//
//   node test/tools/record-hook-payloads.mjs [--agents claude,codex] [--idle] [--out DIR]
//
// --idle also waits the 60 s after which Claude Code sends its idle_prompt notification. About 1 minute per
// agent without it. Every run ends the CLI and every process carrying the run's marker (Codex's daemon too).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import * as prettier from 'prettier';
import { startFakeModel } from '../fixtures/fake-model/server.mjs';
import { prepare, repoRoot, stopStarted, versions } from '../fixtures/agents-env/index.mjs';

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: 'claude,codex' },
    idle: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(repoRoot, 'test/fixtures/hook-payloads') },
  },
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLAUDE_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PostToolUseFailure',
  'PermissionDenied',
  'Notification',
  'Stop',
  'SubagentStop',
  'PreCompact',
  'SessionEnd',
];

class Terminal {
  constructor(command, args, cwd, env) {
    this.term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
    this.proc = pty.spawn(command, args, { cols: 120, rows: 40, cwd, env, name: 'xterm-256color' });
    this.proc.onData((d) => this.term.write(d));
    this.term.onData((r) => this.proc.write(r));
  }
  screen() {
    const b = this.term.buffer.active;
    const lines = [];
    for (let i = 0; i < this.term.rows; i++)
      lines.push(b.getLine(b.baseY + i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }
  async waitFor(re, timeoutMs = 60_000) {
    const end = Date.now() + timeoutMs;
    while (!re.test(this.screen())) {
      if (Date.now() > end) throw new Error(`no ${re} on screen:\n${this.screen()}`);
      await sleep(100);
    }
  }
  async type(text) {
    this.proc.write(text);
    await sleep(600);
    this.proc.write('\r');
  }
  kill() {
    try {
      this.proc.kill();
    } catch {
      // already gone
    }
    this.term.dispose();
  }
}

/** Collects the files the dump script wrote since the last call, oldest first, then deletes them. */
function drain(dumpDir, since) {
  const files = readdirSync(dumpDir)
    .filter((f) => f.endsWith('.dump'))
    .sort();
  const out = files.map((f) => {
    const [ns, event] = f.replace(/\.dump$/, '').split('-');
    const text = readFileSync(path.join(dumpDir, f), 'utf8');
    rmSync(path.join(dumpDir, f));
    return { event, afterMs: Math.round(Number(BigInt(ns) / 1_000_000n) - since), text };
  });
  return out;
}

/** Formatted the way the repository's prettier check wants it. */
async function writeJson(file, value) {
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  writeFileSync(file, await prettier.format(JSON.stringify(value, null, 2), options));
}

function placeholders(text, spec, workdir) {
  return text.split(path.resolve(workdir)).join('<workdir>').split(spec.home).join('<home>');
}

async function recordClaude(outDir) {
  const server = await startFakeModel();
  const root = path.join(repoRoot, 'test-results/agents-env');
  const workdir = path.join(root, `hook-payloads-claude-${Date.now()}`);
  const spec = prepare.claude({ baseUrl: server.url, workdir, root });
  const dumpDir = path.join(spec.dir, 'dumps');
  mkdirSync(dumpDir, { recursive: true });
  const script = path.join(spec.dir, 'dump.sh');
  writeFileSync(script, `#!/bin/sh\ncat > "${dumpDir}/$(date +%s%N)-$1.dump"\nexit 0\n`, { mode: 0o755 });
  const hooks = Object.fromEntries(
    CLAUDE_EVENTS.map((e) => [e, [{ hooks: [{ type: 'command', command: `${script} ${e}`, timeout: 10 }] }]]),
  );
  const t = new Terminal(spec.command, ['--settings', JSON.stringify({ hooks })], workdir, spec.env);
  const scenarios = {};
  const take = (name, since) => {
    scenarios[name] = drain(dumpDir, since).map(({ event, afterMs, text }) => ({
      event,
      afterMs,
      payload: JSON.parse(placeholders(text, spec, workdir)),
    }));
    console.log(`claude ${name}: ${scenarios[name].map((e) => e.event).join(', ')}`);
  };
  try {
    let since = Date.now();
    await t.waitFor(/\? for shortcuts/);
    await sleep(1500);
    take('startup', since);

    since = Date.now();
    await t.type('fake:plain Say hello.');
    await t.waitFor(/short plain answer/);
    await sleep(2000);
    take('plain', since);

    since = Date.now();
    await t.type('fake:approval Create the file approved.txt.');
    await t.waitFor(/Do you want to proceed\?/);
    // Claude Code sends its permission_prompt notification some seconds after the prompt appears.
    await sleep(9000);
    t.proc.write('1');
    await t.waitFor(/The command ran\. Done\./);
    await sleep(2000);
    take('approval-accept', since);

    since = Date.now();
    await t.type('fake:approval Create the file approved.txt again.');
    await t.waitFor(/Do you want to proceed\?/);
    await sleep(1000);
    t.proc.write('\u001b');
    await t.waitFor(/What should Claude do instead\?/);
    await sleep(3000);
    take('approval-deny', since);

    if (opts.idle) {
      since = Date.now();
      await t.type('fake:plain Say hello again.');
      await sleep(70_000);
      take('idle', since);
    }

    since = Date.now();
    t.proc.write('\u0003');
    await sleep(400);
    t.proc.write('\u0003');
    await sleep(3000);
    take('exit', since);
  } finally {
    t.kill();
    await stopStarted(spec);
    spec.cleanup();
    rmSync(workdir, { recursive: true, force: true });
    await server.close();
  }
  const dir = path.join(outDir, `claude-${versions.claude}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, events] of Object.entries(scenarios)) {
    await writeJson(path.join(dir, `${name}.json`), events);
  }
}

async function recordCodex(outDir) {
  const server = await startFakeModel();
  const root = path.join(repoRoot, 'test-results/agents-env');
  const workdir = path.join(root, `hook-payloads-codex-${Date.now()}`);
  const spec = prepare.codex({ baseUrl: server.url, workdir, root });
  const dumpDir = path.join(spec.dir, 'dumps');
  mkdirSync(dumpDir, { recursive: true });
  const script = path.join(spec.dir, 'dump.sh');
  // One file per call: every argument on its own line, the last one being the JSON.
  writeFileSync(
    script,
    `#!/bin/sh\nf="${dumpDir}/$(date +%s%N)-notify.dump"\nfor a in "$@"; do printf '%s\\n' "$a" >> "$f"; done\nexit 0\n`,
    { mode: 0o755 },
  );
  const config = path.join(spec.codexHome, 'config.toml');
  writeFileSync(config, `notify = [${JSON.stringify(script)}, "hook"]\n${readFileSync(config, 'utf8')}`);
  const t = new Terminal(spec.command, [], workdir, spec.env);
  const scenarios = {};
  const take = (name, since) => {
    scenarios[name] = drain(dumpDir, since).map(({ afterMs, text }) => {
      const lines = text.replace(/\n$/, '').split('\n');
      return {
        afterMs,
        argv: lines.slice(0, -1),
        payload: JSON.parse(placeholders(lines.at(-1), spec, workdir)),
      };
    });
    console.log(`codex ${name}: ${scenarios[name].length} notifications`);
  };
  let daemon;
  try {
    await t.waitFor(/Ask Codex to do anything/);
    // The TUI starts its daemon a few seconds after it shows the composer.
    const socket = path.join(spec.codexHome, 'app-server-control/app-server-control.sock');
    for (let i = 0; i < 300 && !existsSync(socket); i++) await sleep(100);
    daemon = existsSync(socket);
    console.log(`codex: daemon control socket with notify in config.toml: ${daemon}`);
    await sleep(2000);

    let since = Date.now();
    await t.type('fake:slow Write slowly.');
    await t.waitFor(/Worked for/, 90_000);
    await sleep(3000);
    take('slow-first-turn', since);

    since = Date.now();
    await t.type('fake:approval Create the file approved.txt.');
    await t.waitFor(/Would you like to run the following command\?/);
    await sleep(1000);
    t.proc.write('y');
    await t.waitFor(/The command ran\. Done\./);
    await sleep(3000);
    take('approval-accept', since);
  } finally {
    t.kill();
    try {
      execFileSync(spec.command, ['app-server', 'daemon', 'stop'], {
        env: spec.env,
        stdio: 'ignore',
        timeout: 10_000,
      });
    } catch {
      // stopStarted sweeps what is left
    }
    await stopStarted(spec);
    spec.cleanup();
    rmSync(workdir, { recursive: true, force: true });
    await server.close();
  }
  const dir = path.join(outDir, `codex-${versions.codex}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, notes] of Object.entries(scenarios)) {
    await writeJson(path.join(dir, `${name}.json`), { daemon, notifications: notes });
  }
}

const agents = opts.agents.split(',');
if (agents.includes('claude')) await recordClaude(opts.out);
if (agents.includes('codex')) await recordCodex(opts.out);
