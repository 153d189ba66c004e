import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApprovalStore } from '../../../extension/core/approvals';
import { writeRunRecord } from '../../../extension/core/plans/executor/runRecord';
import { newPaneMeta, supervisorStateSchema } from '../../../extension/core/supervisor/paneMetadata';
import { workspacePaths } from '../../../extension/core/workspacePaths';

/**
 * A workspace with a history, for the review's tests: eight tasks with dependencies, three of them done a day or
 * two apart (gaps of 1 and 2 days), the supervisor's saved state (an agent waiting for an approval, one idle,
 * one blocked by failing commands), a recorded app log, an approvals store with one pending request and one
 * answered, a failed plan run, and a real git repository with three branches made by the git CLI.
 */

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** The test command of the billing task: classified low risk, fails (no such file). */
export const FAILING_ACCEPTANCE = 'test -f billing-done.txt';
/** A command the risk rules judge too risky to run unattended: it must be skipped, never run. */
export const RISKY_ACCEPTANCE = 'rm -rf /tmp/fleetai-review-never-run-this';

export interface SeededWorkspace {
  dir: string;
  now: Date;
  pendingApprovalId: string;
}

function run(cwd: string, args: string[]): void {
  execFileSync('git', args, {
    cwd,
    stdio: 'pipe',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Review Test',
      GIT_AUTHOR_EMAIL: 'review@example.com',
      GIT_COMMITTER_NAME: 'Review Test',
      GIT_COMMITTER_EMAIL: 'review@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  });
}

function commit(dir: string, file: string, text: string, message: string): void {
  writeFileSync(path.join(dir, file), text);
  run(dir, ['add', file]);
  run(dir, ['commit', '-q', '-m', message]);
}

function gitRepo(dir: string): void {
  run(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(path.join(dir, '.gitignore'), '.fleetai/\n');
  commit(dir, 'README.md', '# shop\n', 'Initial commit');
  run(dir, ['checkout', '-q', '-b', 'feature/api']);
  commit(dir, 'api.js', 'export const api = 1;\n', 'API skeleton');
  commit(dir, 'api.js', 'export const api = 1;\nexport const orders = [];\n', 'Orders endpoint');
  commit(dir, 'api.test.js', 'test("orders", () => {});\n', 'Orders test');
  run(dir, ['checkout', '-q', 'main']);
  run(dir, ['checkout', '-q', '-b', 'feature/docs']);
  commit(dir, 'docs.md', '# Docs\n\nHow to use the shop.\n', 'Docs');
  commit(dir, 'docs.md', '# Docs\n\nHow to use the shop.\n\n## API\n', 'Docs: API section');
  run(dir, ['checkout', '-q', 'main']);
  run(dir, ['checkout', '-q', '-b', 'feature/search']);
  commit(dir, 'search.js', 'export function search() {}\n', 'Search stub');
  run(dir, ['checkout', '-q', 'main']);
}

export async function seedWorkspace(dir: string, now: Date = new Date()): Promise<SeededWorkspace> {
  const at = (msAgo: number): string => new Date(now.getTime() - msAgo).toISOString();
  const paths = workspacePaths(dir);
  mkdirSync(paths.logsDir, { recursive: true });
  mkdirSync(paths.stateDir, { recursive: true });
  gitRepo(dir);

  writeFileSync(
    paths.orchestratorConfig,
    JSON.stringify(
      {
        panes: [
          { id: 'api', agent: 'codex', branch: 'feature/api', task: 'api' },
          { id: 'search', agent: 'codex', branch: 'feature/search', task: 'search' },
          { id: 'billing', agent: 'claude', task: 'billing' },
        ],
        tasks: [
          { id: 'schema', title: 'Database schema' },
          { id: 'docs', title: 'User documentation', branch: 'feature/docs' },
          { id: 'auth', title: 'Login and sessions' },
          { id: 'api', title: 'Orders API', branch: 'feature/api', pane: 'api', depends_on: ['schema'] },
          { id: 'ui', title: 'Orders page', depends_on: ['api'] },
          { id: 'e2e', title: 'End-to-end tests', depends_on: ['ui'] },
          {
            id: 'search',
            title: 'Product search',
            branch: 'feature/search',
            pane: 'search',
            acceptance: { command: RISKY_ACCEPTANCE },
          },
          {
            id: 'billing',
            title: 'Invoices',
            pane: 'billing',
            acceptance: { command: FAILING_ACCEPTANCE },
          },
        ],
        review: { test_command: 'test -f README.md' },
      },
      null,
      2,
    ),
  );

  // The supervisor's saved state: what `fleet status` shows when no supervisor runs.
  const api = {
    ...newPaneMeta({ id: 'api', agent: 'codex', branch: 'feature/api' }, at(3 * DAY)),
    task: 'api',
  };
  api.state = 'awaiting_approval';
  api.state_since = at(HOUR);
  const search = {
    ...newPaneMeta({ id: 'search', agent: 'codex', branch: 'feature/search' }, at(6 * HOUR)),
    task: 'search',
  };
  search.state = 'awaiting_input';
  search.state_since = at(2 * HOUR);
  const billing = { ...newPaneMeta({ id: 'billing', agent: 'claude' }, at(DAY)), task: 'billing' };
  billing.state = 'awaiting_input';
  billing.state_since = at(5 * HOUR);
  billing.phase = 'BLOCKED';
  billing.failure_streak = 3;
  billing.blockers = [
    { kind: 'failure_streak', reason: '3 failed commands in a row', retries: 3, since: at(5 * HOUR) },
  ];
  billing.last_command_result = {
    command_id: 'c9',
    text: 'npm run invoices',
    result: 'failure',
    detail: 'exit 1: Cannot find module stripe',
    ts: at(5 * HOUR),
  };
  const state = supervisorStateSchema.parse({
    version: 1,
    dry_run: false,
    panes: { 'feature/api': api, 'feature/search': search, billing },
    tasks: {
      schema: { phase: 'DONE', updated_at: at(4 * DAY) },
      docs: { phase: 'DONE', updated_at: at(3 * DAY) },
      auth: { phase: 'DONE', updated_at: at(DAY) },
      api: { phase: 'EXECUTING', pane: 'api', updated_at: at(3 * DAY) },
      ui: { phase: 'PLANNING', updated_at: new Date(0).toISOString() },
      e2e: { phase: 'PLANNING', updated_at: new Date(0).toISOString() },
      search: { phase: 'EXECUTING', pane: 'search', updated_at: at(6 * HOUR) },
      billing: { phase: 'BLOCKED', pane: 'billing', updated_at: at(5 * HOUR) },
    },
  });
  writeFileSync(path.join(paths.stateDir, 'supervisor.json'), `${JSON.stringify(state, null, 2)}\n`);

  // The app log as the supervisor writes it (category audit / pane), oldest first, one malformed line.
  const line = (msAgo: number, category: string, event: string, context: Record<string, unknown>): string =>
    JSON.stringify({ ts: at(msAgo), level: 'info', category, event, context });
  const lines = [
    line(5 * DAY, 'audit', 'task.dispatched', { task: 'schema', pane: 'api', branch: 'feature/api' }),
    line(4 * DAY, 'audit', 'task.done', { task: 'schema', pane: 'api', branch: 'feature/api' }),
    line(3 * DAY, 'audit', 'task.done', { task: 'docs', pane: 'api' }),
    line(3 * DAY, 'audit', 'task.dispatched', { task: 'api', pane: 'api', branch: 'feature/api' }),
    line(2 * DAY, 'pane', 'pane.state', {
      pane: 'api',
      branch: 'feature/api',
      from: 'working',
      to: 'stalled',
    }),
    line(2 * DAY - HOUR, 'pane', 'pane.state', { pane: 'api', from: 'stalled', to: 'working' }),
    '{"this is": "not a log line"',
    line(DAY, 'audit', 'task.done', { task: 'auth', pane: 'search' }),
    line(DAY, 'pane', 'pane.state', { pane: 'billing', from: 'starting', to: 'working' }),
    ...[7, 6, 5].map((h) =>
      JSON.stringify({
        ts: at(h * HOUR),
        level: 'warn',
        category: 'audit',
        event: 'command.result',
        context: { pane: 'billing', text: 'npm run invoices', result: 'failure', detail: 'exit 1' },
      }),
    ),
    line(6 * HOUR, 'audit', 'task.dispatched', { task: 'search', pane: 'search', branch: 'feature/search' }),
    line(2 * HOUR, 'pane', 'pane.state', { pane: 'search', from: 'working', to: 'awaiting_input' }),
    line(HOUR, 'pane', 'pane.state', { pane: 'api', from: 'working', to: 'awaiting_approval' }),
  ];
  writeFileSync(paths.appLog, `${lines.join('\n')}\n`);

  // One request answered by a person after 10 minutes, one still waiting (since 40 minutes).
  let clock = new Date(now.getTime() - 2 * HOUR);
  const store = ApprovalStore.forWorkspace(paths, { now: () => clock });
  const answered = await store.request({
    pane: 'search',
    agent: 'codex',
    kind: 'command',
    command: 'npm install fuse.js',
    risk: 'medium',
    reasons: ['not on the allow list: npm install'],
    source: 'agent',
  });
  clock = new Date(now.getTime() - 2 * HOUR + 10 * 60_000);
  await store.decide(answered.id, 'approve', { by: 'cli' });
  clock = new Date(now.getTime() - 40 * 60_000);
  const pending = await store.request({
    pane: 'api',
    branch: 'feature/api',
    agent: 'codex',
    kind: 'command',
    command: 'psql -f migrations/004_orders.sql',
    risk: 'high',
    reasons: ['database migration'],
    source: 'agent',
  });

  // A plan run that failed at its test step an hour ago.
  await writeRunRecord(paths.stateDir, {
    planId: 'checkout-flow',
    thread: 'run-1',
    planVersion: 1,
    workspace: dir,
    status: 'failed',
    started: at(3 * HOUR),
    updated: at(HOUR),
    waits: [],
    nodes: {
      implement: { status: 'done', attempts: 1 },
      test: { status: 'failed', attempts: 3, error: 'npm test exited 1' },
      review: { status: 'pending' },
    },
    markedForHuman: [{ node: 'test', error: 'npm test exited 1', at: at(HOUR) }],
  });
  return { dir, now, pendingApprovalId: pending.id };
}
