// The in-memory world of test/bench/supervisor.mjs's tick benchmark: a scripted FleetPort of 100 panes, an
// ApprovalsPort and a state store that keep everything in memory, and a log that only counts. What the supervisor
// sees of a pane is real all the same: the states come from the recorded screens of Codex, Claude Code and Gemini
// CLI (test/fixtures/screens/) read by the real StateTracker with the shipped profiles, and each pane's screen is
// the recorded one, 40 rows.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export const KINDS = ['codex', 'claude', 'gemini'];

/** The recorded screens of one agent: { name: { title, lines } } (test/fixtures/screens/<kind>/*.txt). */
export function loadScreens(repoRoot, kind) {
  const dir = path.join(repoRoot, 'test/fixtures/screens', kind);
  const screens = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const [head, ...rest] = text.split('\n---\n');
    screens[file.replace(/\.txt$/, '')] = {
      title: head.replace(/^title: ?/, ''),
      lines: rest.join('\n---\n').replace(/\n$/, '').split('\n'),
    };
  }
  return screens;
}

/** A clock whose timers run only when told: the idle debounce of the tracker fires at once. */
function manualClock() {
  const timers = new Set();
  return {
    now: () => Date.now(),
    setTimeout: (fn) => {
      const t = { fn };
      timers.add(t);
      return { cancel: () => timers.delete(t) };
    },
    runAll() {
      for (const t of [...timers]) {
        timers.delete(t);
        t.fn();
      }
    },
  };
}

/**
 * What the real StateTracker, with the shipped profile's rules, makes of each recorded screen (after the
 * agent's startup screen): { [kind]: { [screen]: { state, lines, title } } }.
 */
export async function recordedStates(core, repoRoot) {
  const { profiles, problems } = await core.loadProfiles({
    builtinDir: path.join(repoRoot, 'agents-config'),
  });
  const result = {};
  for (const kind of KINDS) {
    const profile = profiles.get(kind);
    if (!profile) throw new Error(`no ${kind} profile: ${JSON.stringify(problems)}`);
    const runtime = core.toRuntimeProfile(profile);
    const screens = loadScreens(repoRoot, kind);
    result[kind] = {};
    for (const [name, screen] of Object.entries(screens)) {
      const clock = manualClock();
      const tracker = new core.StateTracker(
        { id: `${kind}-${name}`, agent: kind },
        runtime.rules,
        { idleDebounceMs: 1, stallTimeoutMs: 120_000, liveRows: 14, ...runtime.timing },
        clock,
      );
      for (const s of [screens.startup, screen]) {
        if (!s) continue;
        const last = s.lines.reduce((acc, line, i) => (line.trim() ? i : acc), 0);
        tracker.observe({ lines: s.lines, cursorRow: last, title: s.title });
        clock.runAll();
      }
      const { name: stateName, reason, evidence, approval, error } = tracker.state;
      result[kind][name] = {
        state: {
          name: stateName,
          reason,
          evidence,
          ...(approval ? { approval } : {}),
          ...(error ? { error } : {}),
        },
        lines: screen.lines,
        title: screen.title,
      };
      tracker.dispose();
    }
  }
  return result;
}

/** A typed event source (the core's Emitter, which a .mjs cannot import from TypeScript). */
class Emitter {
  listeners = [];
  event = (listener) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value) {
    for (const l of [...this.listeners]) l(value);
  }
}

/**
 * A FleetPort over scripted panes. Views are made afresh on every list()/get(), as registryFleet makes them
 * from the PaneRegistry. `transition` changes a pane's state and fires the event (or only returns it).
 * Panes marked `crashing` exit again 2 ms after each restart (a restart that fails).
 */
export function scriptedFleet() {
  const panes = new Map();
  const states = new Emitter();
  const membership = new Emitter();
  const counts = { send: 0, submit: 0, interrupt: 0, answer: 0, restart: 0 };
  let interruptKeys = false;
  const view = (p) => ({
    id: p.id,
    kind: p.kind,
    ...(p.branch ? { branch: p.branch } : {}),
    cwd: p.cwd,
    state: p.state,
    exited: p.exited,
    startedAt: Date.parse(p.startedAt),
    restarted: p.restarted,
    stoppedByUser: p.stoppedByUser || (p.exited && p.state.exitCode === 0),
  });
  const fleet = {
    counts,
    panes,
    /** Whether interrupt() reports keys sent (then a nudge waits up to 3 s, in real time, for a reaction). */
    setInterruptKeys: (on) => (interruptKeys = on),
    add(p) {
      panes.set(p.id, {
        restarted: false,
        stoppedByUser: false,
        exited: false,
        startedAt: new Date().toISOString(),
        state: { name: 'starting', reason: 'process started', evidence: [], since: new Date().toISOString() },
        ...p,
      });
      membership.fire();
    },
    transition(id, next, { fire = true, screen } = {}) {
      const p = panes.get(id);
      const from = p.state.name;
      const ts = new Date().toISOString();
      p.state = { ...next, since: ts };
      p.exited = next.name === 'exited';
      if (screen) p.screen = screen;
      const event = {
        type: 'pane.state',
        ts,
        pane: p.id,
        agent: p.kind,
        ...(p.branch ? { branch: p.branch } : {}),
        from,
        to: next.name,
        reason: next.reason,
        evidence: next.evidence,
        ...(next.approval ? { approval: next.approval } : {}),
        ...(next.error ? { error: next.error } : {}),
        ...(next.exitCode !== undefined ? { exitCode: next.exitCode } : {}),
      };
      if (fire) states.fire(event);
      return event;
    },
    port: {
      list: () => [...panes.values()].map(view),
      get: (id) => {
        const p = panes.get(id);
        return p ? view(p) : undefined;
      },
      onStateChange: (listener) => states.event(listener),
      onMembershipChange: (listener) => membership.event(listener),
      send: (id) => {
        counts.send++;
        return Promise.resolve(!panes.get(id)?.exited);
      },
      submit: () => {
        counts.submit++;
        return true;
      },
      interrupt: () => {
        counts.interrupt++;
        return interruptKeys;
      },
      nudgeText: () => 'continue',
      answerApproval: (id) => {
        counts.answer++;
        return Promise.resolve(
          panes.get(id)?.state.name === 'awaiting_approval' ? { via: 'keys' } : undefined,
        );
      },
      restart: (id) => {
        counts.restart++;
        const p = panes.get(id);
        p.restarted = true;
        p.startedAt = new Date().toISOString();
        fleet.transition(id, { name: 'starting', reason: 'process started', evidence: [] });
        if (p.crashing) {
          setTimeout(
            () =>
              fleet.transition(id, {
                name: 'exited',
                reason: 'process exited with code 1',
                evidence: [],
                exitCode: 1,
              }),
            2,
          );
        }
        return Promise.resolve();
      },
      screen: (id) => panes.get(id)?.screen ?? [],
      tail: (id, lines) => (panes.get(id)?.screen ?? []).slice(-lines),
    },
  };
  return fleet;
}

/** The ApprovalsPort's contract in memory: one pending request per pane and subject, the first decision wins. */
export function memoryApprovals() {
  const pending = [];
  const completed = new Map();
  const listeners = new Set();
  let next = 0;
  const view = (r) => ({ ...r });
  return {
    pending: () => Promise.resolve(pending.map(view)),
    completedCount: () => completed.size,
    request(input) {
      const same = pending.find(
        (r) =>
          r.pane === input.pane &&
          r.agent === input.agent &&
          r.kind === input.kind &&
          r.command === input.command &&
          r.reason === input.reason,
      );
      if (same) return Promise.resolve(view(same));
      const record = {
        id: (++next).toString(16).padStart(8, '0'),
        ...input,
        requestedAt: new Date().toISOString(),
      };
      pending.push(record);
      return Promise.resolve(view(record));
    },
    decide(id, decision, by) {
      if (completed.has(id))
        return Promise.resolve({ ok: false, error: { code: 'E_APPROVAL_ALREADY_DECIDED', message: id } });
      const i = pending.findIndex((r) => r.id === id);
      if (i < 0) return Promise.resolve({ ok: false, error: { code: 'E_APPROVAL_NOT_FOUND', message: id } });
      const [record] = pending.splice(i, 1);
      const done = { ...record, decision, decidedBy: by.by, ...(by.message ? { message: by.message } : {}) };
      completed.set(id, done);
      for (const l of listeners) l(view(done));
      return Promise.resolve({ ok: true, record: view(done) });
    },
    onDecided(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
  };
}

/**
 * The state store without the disk: what supervisorStateStore does before writeJsonAtomic (the schema check) and
 * what writeJsonAtomic does before its first write (JSON.stringify), so a save costs its CPU part only.
 */
export function memoryStateStore(schema) {
  const store = {
    saves: 0,
    bytes: 0,
    load: () => Promise.resolve(undefined),
    save(state) {
      const text = `${JSON.stringify(schema.parse(state), null, 2)}\n`;
      store.saves++;
      store.bytes = text.length;
      return Promise.resolve();
    },
  };
  return store;
}

/** A Logger that keeps nothing: counts lines by level and by event (the audit trail's size per tick). */
export function countingLog() {
  const byEvent = new Map();
  const byLevel = { debug: 0, info: 0, warn: 0, error: 0 };
  const write = (level, _category, event) => {
    byLevel[level]++;
    byEvent.set(event, (byEvent.get(event) ?? 0) + 1);
  };
  return {
    byEvent,
    byLevel,
    total: () => byLevel.debug + byLevel.info + byLevel.warn + byLevel.error,
    log: write,
    info: (c, e, x) => write('info', c, e, x),
    warn: (c, e, x) => write('warn', c, e, x),
    error: (c, e, x) => write('error', c, e, x),
    debug: (c, e, x) => write('debug', c, e, x),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
