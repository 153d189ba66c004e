import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeError } from '../errors';
import { AppLogLine } from '../observability/logLine';

/**
 * What the review needs from the app log (the supervisor's audit lines): per pane its state changes, stalls and
 * failed commands; per task when it was dispatched and finished. Read as a stream, one line at a time, with the
 * same line schema as `fleet replay`: a busy fleet writes a large log, and malformed lines are counted, not fatal.
 */

export interface PaneHistory {
  pane: string;
  branch?: string;
  agent?: string;
  stateChanges: number;
  stalls: number;
  longestStallSeconds?: number;
  errors: number;
  failedCommands: number;
  /** Failed commands since the last successful one. */
  failureStreak: number;
  lastFailure?: { ts: string; text?: string; detail?: string };
  lastState?: { state: string; ts: string; reason?: string };
  /** While the pane is stalled now: since when. */
  stalledSince?: string;
}

export interface LogHistory {
  file: string;
  found: boolean;
  lines: number;
  malformed: number;
  span?: { first: string; last: string };
  panes: Map<string, PaneHistory>;
  /** First dispatch of each task. */
  dispatched: Map<string, { at: string; pane?: string }>;
  /** Every `task.done`, oldest first (a task reopened and finished again appears twice). */
  completions: { task: string; at: string }[];
  problem?: string;
}

type Context = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export async function readLogHistory(file: string): Promise<LogHistory> {
  const history: LogHistory = {
    file,
    found: false,
    lines: 0,
    malformed: 0,
    panes: new Map(),
    dispatched: new Map(),
    completions: [],
  };
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    stream.destroy();
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      history.problem = `could not read ${file}: ${describeError(error)}`;
    return history;
  }
  history.found = true;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  try {
    for await (const raw of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (!raw.trim()) continue;
      history.lines++;
      const line = parse(raw);
      if (!line) {
        history.malformed++;
        continue;
      }
      const ms = Date.parse(line.ts);
      if (ms < firstMs) firstMs = ms;
      if (ms > lastMs) lastMs = ms;
      add(history, line, line.context ?? {});
    }
  } catch (error) {
    history.problem = `could not read ${file} to the end: ${describeError(error)}`;
  } finally {
    stream.destroy();
  }
  if (Number.isFinite(firstMs))
    history.span = { first: new Date(firstMs).toISOString(), last: new Date(lastMs).toISOString() };
  history.completions.sort((a, b) => a.at.localeCompare(b.at));
  return history;
}

function parse(raw: string): AppLogLine | undefined {
  try {
    const line = AppLogLine.safeParse(JSON.parse(raw));
    return line.success ? line.data : undefined;
  } catch {
    return undefined;
  }
}

function paneOf(history: LogHistory, context: Context): PaneHistory | undefined {
  const id = str(context.pane);
  if (id === undefined) return undefined;
  let pane = history.panes.get(id);
  if (!pane) {
    pane = { pane: id, stateChanges: 0, stalls: 0, errors: 0, failedCommands: 0, failureStreak: 0 };
    history.panes.set(id, pane);
  }
  const branch = str(context.branch);
  if (branch) pane.branch = branch;
  const agent = str(context.agent);
  if (agent) pane.agent = agent;
  return pane;
}

function add(history: LogHistory, line: AppLogLine, context: Context): void {
  switch (line.event) {
    case 'pane.state': {
      const pane = paneOf(history, context);
      if (!pane) return;
      const state = str(context.to) ?? str(context.state) ?? 'unknown';
      pane.stateChanges++;
      // A stall ends at the next state change; the longest one is what the review reports.
      if (pane.stalledSince !== undefined && state !== 'stalled') {
        const seconds = (Date.parse(line.ts) - Date.parse(pane.stalledSince)) / 1000;
        if (seconds >= 0) pane.longestStallSeconds = Math.max(pane.longestStallSeconds ?? 0, seconds);
        delete pane.stalledSince;
      }
      if (state === 'stalled') {
        pane.stalls++;
        pane.stalledSince = line.ts;
      } else if (state === 'error') pane.errors++;
      const reason = str(context.reason);
      pane.lastState = { state, ts: line.ts, ...(reason ? { reason } : {}) };
      return;
    }
    case 'command.result': {
      const result = str(context.result);
      const pane = paneOf(history, context);
      if (!pane) return;
      if (result === 'success') pane.failureStreak = 0;
      if (result !== 'failure') return;
      pane.failedCommands++;
      pane.failureStreak++;
      const text = str(context.text);
      const detail = str(context.detail);
      pane.lastFailure = { ts: line.ts, ...(text ? { text } : {}), ...(detail ? { detail } : {}) };
      return;
    }
    case 'task.dispatched': {
      const task = str(context.task);
      if (task && !history.dispatched.has(task)) {
        const pane = str(context.pane);
        history.dispatched.set(task, { at: line.ts, ...(pane ? { pane } : {}) });
      }
      paneOf(history, context);
      return;
    }
    case 'task.done': {
      const task = str(context.task);
      if (task) history.completions.push({ task, at: line.ts });
      return;
    }
    default:
      return;
  }
}
