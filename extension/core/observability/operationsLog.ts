import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from './appLog';

/**
 * `.fleetai/operations-log.md`: every failure the supervisor or the executor could not heal, for the person who
 * fixes it (seed 004 §4 asks for an operations log with the remedy). The app log has the events; this file says
 * in a few readable lines what happened, what FleetAI already tried, and the command to run next. It sits beside
 * the config rather than in `state/`, so it can still be written when the state folder cannot.
 */
export function operationsLogFile(workspace: string): string {
  return path.join(workspace, '.fleetai', 'operations-log.md');
}

export interface OperationsEntry {
  /** ISO time of the failure. */
  at: string;
  /** Who: `pane p1 (feat/x)`, `plan deploy / node build`. */
  subject: string;
  /** A short title: "Agent stalled", "state not writable". */
  title: string;
  /** What happened, in a sentence or two. */
  happened: string;
  /** What FleetAI tried before giving up (nudges, retries with their count, restarts, the circuit breaker). */
  tried: string[];
  /** What a person should do, with a concrete command. */
  todo: string;
  /** Extra `key: value` lines (the run, the node, the file). */
  facts?: Record<string, string>;
}

const HEADER =
  '# FleetAI operations log / 运维日志\n\n' +
  'Failures FleetAI could not heal by itself, newest last: what happened, what was tried, what to do.\n' +
  'FleetAI 无法自行恢复的故障（最新的在最后）：发生了什么、已尝试什么、需要人做什么。\n\n';

/** One entry as Markdown (a level-2 heading and a list), both languages in the labels. */
export function formatOperationsEntry(entry: OperationsEntry): string {
  const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 800);
  const lines = [`## ${entry.at} — ${entry.subject}: ${oneLine(entry.title)}`, ''];
  for (const [key, value] of Object.entries(entry.facts ?? {})) lines.push(`- ${key}: ${oneLine(value)}`);
  lines.push(`- what happened / 发生了什么: ${oneLine(entry.happened)}`);
  lines.push(
    `- tried / 已尝试: ${entry.tried.length > 0 ? entry.tried.map(oneLine).join('; ') : 'nothing / 无'}`,
  );
  lines.push(`- what to do / 处理办法: ${oneLine(entry.todo)}`);
  return `${lines.join('\n')}\n\n`;
}

/**
 * Appends one entry (the file gets its header when new). Never throws: a failure to append is returned and,
 * with a log, written there, because what failed must not also stop the supervisor or the run.
 */
export async function appendOperationsEntry(
  workspace: string,
  entry: OperationsEntry,
  log?: Logger,
): Promise<Error | undefined> {
  const file = operationsLogFile(workspace);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const exists = await fs.stat(file).then(
      () => true,
      () => false,
    );
    await fs.appendFile(file, `${exists ? '' : HEADER}${formatOperationsEntry(entry)}`);
    return undefined;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    try {
      log?.warn('operations', 'operations_log.unwritable', { file, error: failure.message });
    } catch {
      // A log that throws must not turn this into a throw either.
    }
    return failure;
  }
}
