import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatReplay, replayLog } from '../../../extension/core/audit/replay';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { createAppLog } from '../../../extension/core/observability/appLog';
import { caught, useTempDirs } from '../helpers';
import { at, logLine, morningLog, writeLog } from './logFixtures';

const tempDir = useTempDirs();

function morningFile(): string {
  const file = path.join(tempDir(), 'app.jsonl');
  writeLog(file, morningLog().lines);
  return file;
}

describe('replayLog', () => {
  it('summarises every event of the log', async () => {
    const file = morningFile();
    const summary = await replayLog(file);
    expect(summary.file).toBe(file);
    expect(summary.lines).toBe(20);
    expect(summary.malformed).toEqual({ count: 3, lines: morningLog().malformedLineNumbers });
    expect(summary.matched).toBe(17);
    expect(summary.considered).toBe(17);
    expect(summary.byEvent).toEqual({
      'command.queued': 3,
      'pane.state': 3,
      'command.result': 2,
      'approval.decided': 1,
      'approval.requested': 1,
      'command.dispatched': 1,
      'model.error': 1,
      'recovery.backoff': 1,
      'recovery.nudge': 1,
      'supervisor.blocked': 1,
      'supervisor.heartbeat': 1,
      'supervisor.started': 1,
    });
    // Most frequent first.
    expect(Object.keys(summary.byEvent).slice(0, 2)).toEqual(['command.queued', 'pane.state']);
    expect(summary.byCategory).toEqual({ audit: 12, pane: 3, model: 1, supervisor: 1 });
    expect(summary.span).toEqual({ first: at(0), last: at(3662), seconds: 3662 });
    expect(summary.commands).toEqual({ queued: 3, dispatched: 1, results: { failure: 1, success: 1 } });
    expect(summary.lastCommand).toEqual({
      ts: at(3662),
      event: 'command.result',
      pane: 'docs',
      branch: 'feature/docs',
      text: 'npm run docs',
      result: 'success',
    });
    expect(summary.maxQueueDepth).toEqual({
      depth: 3,
      ts: at(5),
      event: 'command.queued',
      pane: 'docs',
      branch: 'feature/docs',
    });
    expect(summary.approvals).toEqual({ requested: 1, decided: 1, decisions: { approve: 1 } });
    expect(summary.paneStates).toEqual({
      api: {
        changes: 2,
        byState: { awaiting_input: 1, working: 1 },
        last: { state: 'awaiting_input', ts: at(14), reason: 'prompt' },
      },
      docs: {
        changes: 1,
        byState: { stalled: 1 },
        last: { state: 'stalled', ts: at(9), reason: 'no progress 120s' },
      },
    });
    expect(summary.recoveries).toEqual({
      total: 2,
      byEvent: { 'recovery.backoff': 1, 'recovery.nudge': 1 },
      last: { ts: at(16), event: 'recovery.backoff', pane: 'docs', reason: 'rate_limit' },
    });
    expect(summary.blocked).toEqual({
      count: 1,
      last: {
        ts: at(17),
        event: 'supervisor.blocked',
        pane: 'api',
        branch: 'feature/api',
        reason: 'failure_streak',
      },
    });
    expect(summary.heartbeats).toEqual({ count: 1, last: at(18) });
    expect(summary.model).toEqual({ decisions: 0, errors: 1 });
    expect(summary.errors).toEqual({
      count: 2,
      newest: [
        {
          ts: at(15),
          event: 'model.error',
          level: 'warn',
          category: 'model',
          message: 'HTTP 500 from the model',
        },
        {
          ts: at(17),
          event: 'supervisor.blocked',
          level: 'error',
          category: 'audit',
          pane: 'api',
          branch: 'feature/api',
          message: 'failure_streak',
        },
      ],
    });
  });

  it('--branch keeps the events of that branch, including pane events of a pane seen on it', async () => {
    const summary = await replayLog(morningFile(), { branch: 'feature/docs' });
    expect(summary.branch).toBe('feature/docs');
    // command.queued (docs) at 5 s teaches "docs is on feature/docs": the stall, nudge and backoff follow.
    expect(summary.byEvent).toEqual({
      'command.queued': 1,
      'command.result': 1,
      'pane.state': 1,
      'recovery.backoff': 1,
      'recovery.nudge': 1,
    });
    expect(summary.matched).toBe(5);
    expect(summary.maxQueueDepth?.depth).toBe(3);
    expect(summary.lastCommand?.text).toBe('npm run docs');
    expect(summary.approvals.requested).toBe(0);
    expect(Object.keys(summary.paneStates)).toEqual(['docs']);
    // Malformed lines are a property of the file, reported whatever the filter.
    expect(summary.malformed.count).toBe(3);
  });

  it('a pane event before its pane was seen on any branch does not match the branch', async () => {
    const summary = await replayLog(morningFile(), { branch: 'feature/api' });
    // The api pane's first pane.state (1 s) comes before the first api event with a branch (2 s).
    expect(summary.paneStates.api?.changes).toBe(1);
    expect(summary.byEvent['command.queued']).toBe(2);
    expect(summary.lastCommand).toMatchObject({
      event: 'command.result',
      text: 'npm test',
      result: 'failure',
    });
  });

  it('--limit considers only the newest N matching events', async () => {
    const summary = await replayLog(morningFile(), { limit: 4 });
    expect(summary.matched).toBe(17);
    expect(summary.considered).toBe(4);
    expect(summary.byEvent).toEqual({
      'command.result': 1,
      'recovery.backoff': 1,
      'supervisor.blocked': 1,
      'supervisor.heartbeat': 1,
    });
    expect(summary.span).toEqual({ first: at(16), last: at(3662), seconds: 3646 });
    expect(summary.maxQueueDepth?.depth).toBe(0);
  });

  it('--limit larger than the log, and --branch with --limit together', async () => {
    expect((await replayLog(morningFile(), { limit: 1000 })).considered).toBe(17);
    const both = await replayLog(morningFile(), { branch: 'feature/api', limit: 2 });
    expect(both.byEvent).toEqual({ 'pane.state': 1, 'supervisor.blocked': 1 });
  });

  it('an empty log and a log of only bad lines are summaries, not errors', async () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const summary = await replayLog(empty);
    expect(summary).toMatchObject({ lines: 0, considered: 0, malformed: { count: 0, lines: [] } });
    expect(summary.span).toBeUndefined();
    expect(formatReplay(summary)).toContain('No events to replay.');

    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, 'x\r\ny\r\n{}\r\n');
    expect((await replayLog(bad)).malformed).toEqual({ count: 3, lines: [1, 2, 3] });
  });

  it('keeps the first `keep` malformed line numbers but counts them all', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    const lines = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'garbage' : logLine(at(i), 'x.y')));
    writeLog(file, lines);
    const summary = await replayLog(file, { keep: 5 });
    expect(summary.malformed).toEqual({ count: 25, lines: [2, 4, 6, 8, 10] });
  });

  it('reads CRLF lines and a last line without a newline', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    writeFileSync(file, `${logLine(at(0), 'a.b')}\r\n${logLine(at(1), 'c.d')}`);
    const summary = await replayLog(file);
    expect(summary.byEvent).toEqual({ 'a.b': 1, 'c.d': 1 });
    expect(summary.malformed.count).toBe(0);
  });

  it('takes the span from the earliest and latest timestamps when lines interleave', async () => {
    const file = path.join(tempDir(), 'app.jsonl');
    writeLog(file, [
      logLine(at(10), 'a.b'),
      logLine(at(2), 'a.b'),
      logLine(at(30), 'a.b'),
      logLine(at(20), 'a.b'),
    ]);
    expect((await replayLog(file)).span).toEqual({ first: at(2), last: at(30), seconds: 28 });
  });

  it('a missing log is E_STORE_READ naming the file', async () => {
    const file = path.join(tempDir(), 'nope.jsonl');
    const error = (await caught(() => replayLog(file))) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.code).toBe(ErrorCode.StoreRead);
    expect(error.message).toBe(`no log at ${file}`);
    const folder = tempDir();
    expect(((await caught(() => replayLog(folder))) as FleetError).message).toMatch(
      new RegExp(`could not read ${folder}.*EISDIR`),
    );
  });

  it('replays what the real application log (pino) writes', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.fleetai', 'logs', 'app.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    const log = createAppLog({ file, sync: true });
    log.info('audit', 'command.queued', {
      pane: 'p1',
      branch: 'b',
      text: 'ls',
      queue_depth: 7,
      apiKey: 'sk-x',
    });
    log.info('audit', 'command.dispatched', { pane: 'p1', branch: 'b', text: 'ls', queue_depth: 6 });
    log.warn('audit', 'command.result', {
      pane: 'p1',
      branch: 'b',
      text: 'ls',
      result: 'dry_run',
      queue_depth: 6,
    });
    log.error('store', 'write.failed', { message: 'disk full' });
    await log.close();
    appendFileSync(file, '{"half": \n');
    const summary = await replayLog(file);
    expect(summary.malformed).toEqual({ count: 1, lines: [5] });
    expect(summary.maxQueueDepth).toMatchObject({
      depth: 7,
      pane: 'p1',
      branch: 'b',
      event: 'command.queued',
    });
    expect(summary.lastCommand).toMatchObject({ event: 'command.result', text: 'ls', result: 'dry_run' });
    expect(summary.commands.results).toEqual({ dry_run: 1 });
    expect(summary.errors.newest).toEqual([
      expect.objectContaining({ category: 'store', event: 'write.failed', message: 'disk full' }),
    ]);
  });
});

describe('formatReplay', () => {
  it('prints counts, span, last command, largest queue, approvals, panes, recoveries and errors', async () => {
    const text = formatReplay(await replayLog(morningFile()));
    const lines = text.split('\n');
    expect(lines[1]).toBe('Events: 17 considered of 20 lines');
    expect(lines[2]).toBe('Malformed lines: 3 (line 4, 8, 13), skipped');
    expect(lines[3]).toBe(`Time span: ${at(0)} -> ${at(3662)} (1h 01m 02s)`);
    expect(text).toContain('Events by name:\n  command.queued        3\n  pane.state            3\n');
    expect(text).toContain('Events by category:\n  audit       12\n');
    expect(text).toContain('Commands: 3 queued, 1 dispatched, results: failure 1, success 1\n');
    expect(text).toContain(
      `Last command: ${at(3662)} command.result (pane docs, branch feature/docs) "npm run docs" -> success\n`,
    );
    expect(text).toContain(
      `Largest queue depth: 3 (pane docs, branch feature/docs) at ${at(5)} (command.queued)\n`,
    );
    expect(text).toContain('Approvals: 1 requested, 1 decided (approve 1)\n');
    expect(text).toContain(
      `  api: 2 changes (awaiting_input 1, working 1); last awaiting_input at ${at(14)} (prompt)\n`,
    );
    expect(text).toContain('Recoveries: 2 (recovery.backoff 1, recovery.nudge 1)\n');
    expect(text).toContain(`Blocked: 1, last at ${at(17)} (pane api, branch feature/api): failure_streak\n`);
    expect(text).toContain('Errors: 2\n');
    expect(text).toContain(`  ${at(15)} warn model/model.error: HTTP 500 from the model\n`);
  });

  it('names the filters', async () => {
    const text = formatReplay(await replayLog(morningFile(), { branch: 'feature/docs', limit: 2 }));
    expect(text.split('\n')[1]).toBe(
      'Events: 2 considered (branch feature/docs, newest 2; 5 matched) of 20 lines',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [12.5, '12.5s'],
    [59.9994, '59.999s'],
    [61, '1m 01s'],
    [3662, '1h 01m 02s'],
    [90061, '25h 01m 01s'],
  ])('%s s -> %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
