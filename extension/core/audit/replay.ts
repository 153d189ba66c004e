import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCode, FleetError, describeError } from '../errors';
import { AppLogLine } from '../observability/logLine';

/**
 * `fleet replay`: a look back over the application log after something went wrong (seed 001, "审计日志回放"):
 * event counts, time span, the last command, the largest queue depth, approvals, pane states, recoveries and
 * errors. The log is read as a stream, one line at a time, since a busy fleet writes a large one.
 */

export interface ReplayOptions {
  /** Keep only events of this branch (see `branchOf`). */
  branch?: string;
  /** Consider only the newest N events that pass the filter. */
  limit?: number;
  /** How many malformed line numbers, errors and similar lists to keep (counts are always complete). */
  keep?: number;
}

export interface ReplayEventRef {
  ts: string;
  event: string;
  pane?: string;
  branch?: string;
}

export interface ReplayCommand extends ReplayEventRef {
  text?: string;
  result?: string;
}

export interface ReplayPaneStates {
  changes: number;
  byState: Record<string, number>;
  last: { state: string; ts: string; reason?: string };
}

export interface ReplayError extends ReplayEventRef {
  level: string;
  category: string;
  message?: string;
}

export interface ReplaySummary {
  file: string;
  branch?: string;
  limit?: number;
  /** Non-empty lines read. */
  lines: number;
  /** Lines that are not JSON or not a FleetAI log line: counted, and the first `keep` line numbers. */
  malformed: { count: number; lines: number[] };
  /** Valid events that passed the branch filter. */
  matched: number;
  /** Events summarised: the newest `limit` of those matched, or all of them. */
  considered: number;
  byEvent: Record<string, number>;
  byCategory: Record<string, number>;
  span?: { first: string; last: string; seconds: number };
  commands: { queued: number; dispatched: number; results: Record<string, number> };
  lastCommand?: ReplayCommand;
  maxQueueDepth?: ReplayEventRef & { depth: number };
  approvals: { requested: number; decided: number; decisions: Record<string, number> };
  /** Per pane: its `pane.state` changes. */
  paneStates: Record<string, ReplayPaneStates>;
  recoveries: { total: number; byEvent: Record<string, number>; last?: ReplayEventRef & { reason?: string } };
  blocked: { count: number; last?: ReplayEventRef & { reason?: string } };
  heartbeats: { count: number; last?: string };
  model: { decisions: number; errors: number };
  /** Events at level error or fatal, and every model.error: counted, and the newest `keep`. */
  errors: { count: number; newest: ReplayError[] };
}

const COMMAND_EVENTS = new Set(['command.queued', 'command.dispatched', 'command.result']);

type Context = Record<string, unknown>;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/**
 * Summarises the log at `logFile`. Malformed lines are counted and skipped, never fatal; a missing or unreadable
 * file is a FleetError (E_STORE_READ) naming it.
 */
export async function replayLog(logFile: string, options: ReplayOptions = {}): Promise<ReplaySummary> {
  // Absolute, so that what is printed names the file wherever the reader stands.
  const file = path.resolve(logFile);
  const keep = options.keep ?? 20;
  const summary = new ReplayAggregator(file, options, keep);
  const branches = new PaneBranches();
  // With --limit only the newest N matching events count, and which ones those are is known only at the end:
  // they wait in a ring buffer (memory bounded by N, not by the file).
  const ring: (AppLogLine | undefined)[] = options.limit
    ? new Array<AppLogLine | undefined>(options.limit)
    : [];
  let ringNext = 0;

  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FleetError(
      ErrorCode.StoreRead,
      missing ? `no log at ${file}` : `could not read ${file}: ${describeError(error)}`,
      { file },
      { cause: error },
    );
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      if (!raw.trim()) continue;
      summary.lines++;
      const line = parseLine(raw);
      if (!line) {
        summary.malformedLine(lineNumber);
        continue;
      }
      const context = line.context ?? {};
      branches.learn(context);
      if (options.branch !== undefined && branches.branchOf(context) !== options.branch) continue;
      summary.matched++;
      if (options.limit) {
        ring[ringNext] = line;
        ringNext = (ringNext + 1) % options.limit;
      } else summary.add(line);
    }
  } catch (error) {
    throw new FleetError(
      ErrorCode.StoreRead,
      `could not read ${file} after line ${lineNumber}: ${describeError(error)}`,
      { file },
      { cause: error },
    );
  } finally {
    stream.destroy();
  }
  if (options.limit) {
    for (let i = 0; i < options.limit; i++) {
      const line = ring[(ringNext + i) % options.limit];
      if (line) summary.add(line);
    }
  }
  return summary.result();
}

function parseLine(raw: string): AppLogLine | undefined {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const line = AppLogLine.safeParse(data);
  return line.success ? line.data : undefined;
}

/**
 * The branch of an event: its own `context.branch`, else the branch its pane was last seen on. Pane events
 * (`pane.state`, recoveries) often name only the pane, and a replay for a branch should still show them.
 */
class PaneBranches {
  private readonly byPane = new Map<string, string>();

  learn(context: Context): void {
    const pane = str(context.pane);
    const branch = str(context.branch);
    if (pane !== undefined && branch !== undefined) this.byPane.set(pane, branch);
  }

  branchOf(context: Context): string | undefined {
    const branch = str(context.branch);
    if (branch !== undefined) return branch;
    const pane = str(context.pane);
    return pane === undefined ? undefined : this.byPane.get(pane);
  }
}

class ReplayAggregator {
  lines = 0;
  matched = 0;
  private considered = 0;
  private malformedCount = 0;
  private readonly malformedLines: number[] = [];
  private readonly byEvent = new Map<string, number>();
  private readonly byCategory = new Map<string, number>();
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private first = '';
  private last = '';
  private readonly commands = { queued: 0, dispatched: 0, results: new Map<string, number>() };
  private lastCommand: ReplayCommand | undefined;
  private lastCommandMs = -Infinity;
  private maxQueue: (ReplayEventRef & { depth: number }) | undefined;
  private readonly approvals = { requested: 0, decided: 0, decisions: new Map<string, number>() };
  private readonly panes = new Map<string, ReplayPaneStates & { byStateMap: Map<string, number> }>();
  private readonly recoveries = { total: 0, byEvent: new Map<string, number>() };
  private lastRecovery: (ReplayEventRef & { reason?: string }) | undefined;
  private blockedCount = 0;
  private lastBlocked: (ReplayEventRef & { reason?: string }) | undefined;
  private heartbeats = 0;
  private lastHeartbeat: string | undefined;
  private modelDecisions = 0;
  private modelErrors = 0;
  private errorCount = 0;
  private readonly newestErrors: ReplayError[] = [];

  constructor(
    private readonly file: string,
    private readonly options: ReplayOptions,
    private readonly keep: number,
  ) {}

  malformedLine(lineNumber: number): void {
    this.malformedCount++;
    if (this.malformedLines.length < this.keep) this.malformedLines.push(lineNumber);
  }

  add(line: AppLogLine): void {
    this.considered++;
    const context = line.context ?? {};
    const { event } = line;
    increment(this.byEvent, event);
    increment(this.byCategory, line.category);
    const ms = Date.parse(line.ts);
    // Lines are written in order, but two processes may interleave: take the extremes, not first and last.
    if (ms < this.firstMs) [this.firstMs, this.first] = [ms, line.ts];
    if (ms >= this.lastMs) [this.lastMs, this.last] = [ms, line.ts];
    const ref = eventRef(line, context);

    const depth = context.queue_depth;
    if (typeof depth === 'number' && Number.isFinite(depth) && depth > (this.maxQueue?.depth ?? -Infinity)) {
      this.maxQueue = { ...ref, depth };
    }

    if (COMMAND_EVENTS.has(event)) {
      if (event === 'command.queued') this.commands.queued++;
      else if (event === 'command.dispatched') this.commands.dispatched++;
      else increment(this.commands.results, str(context.result) ?? 'unknown');
      if (ms >= this.lastCommandMs) {
        this.lastCommandMs = ms;
        const text = str(context.text);
        const result = str(context.result);
        this.lastCommand = { ...ref, ...(text !== undefined ? { text } : {}), ...(result ? { result } : {}) };
      }
    } else if (event === 'approval.requested') this.approvals.requested++;
    else if (event === 'approval.decided') {
      this.approvals.decided++;
      increment(this.approvals.decisions, str(context.decision) ?? 'unknown');
    } else if (event === 'pane.state') this.paneState(line, context);
    else if (event.startsWith('recovery.')) {
      this.recoveries.total++;
      increment(this.recoveries.byEvent, event);
      this.lastRecovery = withReason(ref, context);
    } else if (event === 'supervisor.blocked') {
      this.blockedCount++;
      this.lastBlocked = withReason(ref, context);
    } else if (event === 'supervisor.heartbeat') {
      this.heartbeats++;
      this.lastHeartbeat = line.ts;
    } else if (event === 'model.decision') this.modelDecisions++;
    if (event === 'model.error') this.modelErrors++;

    if (line.level === 'error' || line.level === 'fatal' || event === 'model.error') {
      this.errorCount++;
      const message = str(context.message) ?? str(context.error) ?? str(context.reason);
      this.newestErrors.push({
        ...ref,
        level: line.level,
        category: line.category,
        ...(message !== undefined ? { message } : {}),
      });
      if (this.newestErrors.length > this.keep) this.newestErrors.shift();
    }
  }

  private paneState(line: AppLogLine, context: Context): void {
    const pane = str(context.pane) ?? '(no pane)';
    const state = str(context.state) ?? str(context.to) ?? 'unknown';
    const reason = str(context.reason);
    let entry = this.panes.get(pane);
    if (!entry) {
      entry = { changes: 0, byState: {}, byStateMap: new Map(), last: { state, ts: line.ts } };
      this.panes.set(pane, entry);
    }
    entry.changes++;
    increment(entry.byStateMap, state);
    entry.last = { state, ts: line.ts, ...(reason !== undefined ? { reason } : {}) };
  }

  result(): ReplaySummary {
    const { branch, limit } = this.options;
    const paneStates: Record<string, ReplayPaneStates> = {};
    for (const [pane, { changes, byStateMap, last }] of sorted(this.panes)) {
      paneStates[pane] = { changes, byState: record(byStateMap), last };
    }
    return {
      file: this.file,
      ...(branch !== undefined ? { branch } : {}),
      ...(limit !== undefined ? { limit } : {}),
      lines: this.lines,
      malformed: { count: this.malformedCount, lines: this.malformedLines },
      matched: this.matched,
      considered: this.considered,
      byEvent: record(this.byEvent),
      byCategory: record(this.byCategory),
      ...(this.considered > 0 && Number.isFinite(this.firstMs)
        ? { span: { first: this.first, last: this.last, seconds: (this.lastMs - this.firstMs) / 1000 } }
        : {}),
      commands: {
        queued: this.commands.queued,
        dispatched: this.commands.dispatched,
        results: record(this.commands.results),
      },
      ...(this.lastCommand ? { lastCommand: this.lastCommand } : {}),
      ...(this.maxQueue ? { maxQueueDepth: this.maxQueue } : {}),
      approvals: {
        requested: this.approvals.requested,
        decided: this.approvals.decided,
        decisions: record(this.approvals.decisions),
      },
      paneStates,
      recoveries: {
        total: this.recoveries.total,
        byEvent: record(this.recoveries.byEvent),
        ...(this.lastRecovery ? { last: this.lastRecovery } : {}),
      },
      blocked: { count: this.blockedCount, ...(this.lastBlocked ? { last: this.lastBlocked } : {}) },
      heartbeats: { count: this.heartbeats, ...(this.lastHeartbeat ? { last: this.lastHeartbeat } : {}) },
      model: { decisions: this.modelDecisions, errors: this.modelErrors },
      errors: { count: this.errorCount, newest: this.newestErrors },
    };
  }
}

function eventRef(line: AppLogLine, context: Context): ReplayEventRef {
  const pane = str(context.pane);
  const branch = str(context.branch);
  return {
    ts: line.ts,
    event: line.event,
    ...(pane !== undefined ? { pane } : {}),
    ...(branch !== undefined ? { branch } : {}),
  };
}

function withReason(ref: ReplayEventRef, context: Context): ReplayEventRef & { reason?: string } {
  const reason = str(context.reason);
  return reason === undefined ? ref : { ...ref, reason };
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Most frequent first, then by name: the order people read a count table in. */
function record(map: Map<string, number>): Record<string, number> {
  const entries = [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(entries);
}

function sorted<V>(map: Map<string, V>): [string, V][] {
  return [...map].sort((a, b) => a[0].localeCompare(b[0]));
}

/** The summary as text for a terminal. */
export function formatReplay(summary: ReplaySummary): string {
  const out: string[] = [];
  const filters = [
    summary.branch !== undefined ? `branch ${summary.branch}` : '',
    summary.limit !== undefined ? `newest ${summary.limit}` : '',
  ].filter(Boolean);
  out.push(`Log: ${summary.file}`);
  out.push(
    `Events: ${summary.considered} considered` +
      (filters.length ? ` (${filters.join(', ')}; ${summary.matched} matched)` : '') +
      ` of ${summary.lines} lines`,
  );
  if (summary.malformed.count > 0) {
    const shown = summary.malformed.lines.join(', ');
    const more = summary.malformed.count > summary.malformed.lines.length ? ', ...' : '';
    out.push(`Malformed lines: ${summary.malformed.count} (line ${shown}${more}), skipped`);
  }
  if (summary.considered === 0) {
    out.push('No events to replay.');
    return `${out.join('\n')}\n`;
  }
  if (summary.span) {
    out.push(
      `Time span: ${summary.span.first} -> ${summary.span.last} (${formatDuration(summary.span.seconds)})`,
    );
  }
  out.push('', 'Events by name:', ...table(summary.byEvent));
  out.push('', 'Events by category:', ...table(summary.byCategory));
  out.push('');

  const { commands } = summary;
  const results = Object.entries(commands.results)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(
    `Commands: ${commands.queued} queued, ${commands.dispatched} dispatched` +
      (results ? `, results: ${results}` : ''),
  );
  const last = summary.lastCommand;
  out.push(
    last
      ? `Last command: ${last.ts} ${last.event}${where(last)}${last.text !== undefined ? ` ${JSON.stringify(last.text)}` : ''}${last.result ? ` -> ${last.result}` : ''}`
      : 'Last command: none',
  );
  const queue = summary.maxQueueDepth;
  out.push(
    queue
      ? `Largest queue depth: ${queue.depth}${where(queue)} at ${queue.ts} (${queue.event})`
      : 'Largest queue depth: none recorded',
  );
  const { approvals } = summary;
  const decisions = Object.entries(approvals.decisions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(
    `Approvals: ${approvals.requested} requested, ${approvals.decided} decided${decisions ? ` (${decisions})` : ''}`,
  );

  const panes = Object.entries(summary.paneStates);
  if (panes.length > 0) {
    out.push('Pane states:');
    for (const [pane, states] of panes) {
      const counts = Object.entries(states.byState)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      out.push(
        `  ${pane}: ${states.changes} change${states.changes === 1 ? '' : 's'} (${counts}); ` +
          `last ${states.last.state} at ${states.last.ts}${states.last.reason ? ` (${states.last.reason})` : ''}`,
      );
    }
  } else out.push('Pane states: none recorded');

  const { recoveries } = summary;
  const byRecovery = Object.entries(recoveries.byEvent)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(`Recoveries: ${recoveries.total}${byRecovery ? ` (${byRecovery})` : ''}`);
  if (summary.blocked.count > 0) {
    const b = summary.blocked.last;
    out.push(
      `Blocked: ${summary.blocked.count}${b ? `, last at ${b.ts}${where(b)}${b.reason ? `: ${b.reason}` : ''}` : ''}`,
    );
  }
  out.push(
    `Heartbeats: ${summary.heartbeats.count}${summary.heartbeats.last ? `, last at ${summary.heartbeats.last}` : ''}`,
  );
  out.push(`Model: ${summary.model.decisions} decisions, ${summary.model.errors} errors`);
  out.push(`Errors: ${summary.errors.count}`);
  for (const error of summary.errors.newest.slice(-5)) {
    out.push(
      `  ${error.ts} ${error.level} ${error.category}/${error.event}${where(error)}${error.message ? `: ${error.message}` : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function where(ref: { pane?: string; branch?: string }): string {
  const parts = [
    ref.pane !== undefined ? `pane ${ref.pane}` : '',
    ref.branch !== undefined ? `branch ${ref.branch}` : '',
  ];
  const text = parts.filter(Boolean).join(', ');
  return text ? ` (${text})` : '';
}

function table(counts: Record<string, number>): string[] {
  const entries = Object.entries(counts);
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

/** "1h 02m 03s", "4m 05s", "12.5s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}
