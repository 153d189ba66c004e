import { writeFileSync } from 'node:fs';

/** One app.jsonl line in the format extension/core/observability/appLog.ts writes. */
export function logLine(
  ts: string,
  event: string,
  context?: Record<string, unknown>,
  options: { level?: string; category?: string } = {},
): string {
  return JSON.stringify({
    ts,
    level: options.level ?? 'info',
    category: options.category ?? (event.startsWith('pane.') ? 'pane' : 'audit'),
    event,
    ...(context ? { context } : {}),
  });
}

export function writeLog(file: string, lines: string[]): void {
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** `start` plus `seconds`, as the ISO text the log holds. */
export function at(seconds: number, start = Date.parse('2026-11-21T08:00:00.000Z')): string {
  return new Date(start + seconds * 1000).toISOString();
}

/**
 * A supervisor's morning on two branches, with the events the supervisor writes: commands queued, dispatched
 * and answered, an approval, pane state changes, recoveries, a blocked pane, a model error, and a few lines
 * that are not log lines at all.
 */
export function morningLog(): { lines: string[]; malformedLineNumbers: number[] } {
  const api = { pane: 'api', branch: 'feature/api' };
  const docs = { pane: 'docs', branch: 'feature/docs' };
  const lines = [
    logLine(at(0), 'supervisor.started', { panes: 2 }),
    logLine(at(1), 'pane.state', { pane: 'api', from: 'starting', to: 'working', reason: 'spinner' }),
    logLine(at(2), 'command.queued', { ...api, text: 'npm test', queue_depth: 1 }),
    '{"ts": "2026-11-21T08:00:03.000Z", "level": "info", "category": "audit", "event": "command.dis',
    logLine(at(4), 'command.dispatched', { ...api, text: 'npm test', queue_depth: 0, result: 'typed' }),
    logLine(at(5), 'command.queued', { ...docs, text: 'npm run docs', queue_depth: 3 }),
    logLine(at(6), 'command.queued', { ...api, text: 'npm run lint', queue_depth: 2 }),
    'not json at all',
    logLine(
      at(8),
      'command.result',
      { ...api, text: 'npm test', result: 'failure', queue_depth: 1 },
      {
        level: 'warn',
      },
    ),
    logLine(at(9), 'pane.state', {
      pane: 'docs',
      from: 'working',
      to: 'stalled',
      reason: 'no progress 120s',
    }),
    logLine(at(10), 'recovery.nudge', { pane: 'docs', attempt: 1 }),
    logLine(at(11), 'approval.requested', { ...api, command: 'rm -rf build', risk: 'medium', id: 'a1' }),
    JSON.stringify({ ts: 'yesterday', level: 'info', category: 'audit', event: 'x' }),
    logLine(at(13), 'approval.decided', { ...api, id: 'a1', decision: 'approve', decidedBy: 'human' }),
    logLine(at(14), 'pane.state', { pane: 'api', from: 'working', to: 'awaiting_input', reason: 'prompt' }),
    logLine(
      at(15),
      'model.error',
      { error: 'HTTP 500 from the model' },
      { level: 'warn', category: 'model' },
    ),
    logLine(at(16), 'recovery.backoff', { pane: 'docs', seconds: 30, reason: 'rate_limit' }),
    logLine(at(17), 'supervisor.blocked', { ...api, reason: 'failure_streak' }, { level: 'error' }),
    logLine(at(18), 'supervisor.heartbeat', { panes: 2 }, { level: 'debug', category: 'supervisor' }),
    '',
    logLine(at(3600 + 62), 'command.result', {
      ...docs,
      text: 'npm run docs',
      result: 'success',
      queue_depth: 0,
    }),
  ];
  // Line numbers are 1-based; the empty line is skipped, not malformed.
  return { lines, malformedLineNumbers: [4, 8, 13] };
}
