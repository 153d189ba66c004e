import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastReviewFile, renderMarkdown, runReview } from '../../../extension/core/review';
import type { PacedForecast } from '../../../extension/core/review/forecast';
import { parseShortstat } from '../../../extension/core/review/gitFacts';
import { useTempDirs } from '../helpers';
import { DAY, FAILING_ACCEPTANCE, HOUR, RISKY_ACCEPTANCE, seedWorkspace } from './seedWorkspace';

// The review on a seeded workspace (real files, a real git repository made with the git CLI), rules only.
const tempDir = useTempDirs();
const NOW = new Date('2026-11-20T12:00:00.000Z');

async function seeded(): Promise<{ dir: string; pendingApprovalId: string }> {
  return seedWorkspace(tempDir(), NOW);
}

describe('runReview on a seeded workspace (rules)', () => {
  it('gathers tasks, panes, approvals, plans and git per branch', async () => {
    const { dir, pendingApprovalId } = await seeded();
    const review = await runReview({ workspace: dir, now: NOW, model: false });
    const { facts } = review;
    expect(facts.tasks.map((t) => [t.id, t.phase])).toEqual([
      ['schema', 'DONE'],
      ['docs', 'DONE'],
      ['auth', 'DONE'],
      ['api', 'EXECUTING'],
      ['ui', 'PLANNING'],
      ['e2e', 'PLANNING'],
      ['search', 'EXECUTING'],
      ['billing', 'BLOCKED'],
    ]);
    expect(facts.tasks.find((t) => t.id === 'ui')?.waitingOn).toEqual(['api']);
    expect(facts.panes.find((p) => p.pane === 'api')).toMatchObject({
      state: 'awaiting_approval',
      stalls: 1,
      longestStallSeconds: 3600,
    });
    expect(facts.panes.find((p) => p.pane === 'billing')).toMatchObject({
      failureStreak: 3,
      failedCommands: 3,
    });
    expect(facts.approvals.pending).toEqual([
      expect.objectContaining({ id: pendingApprovalId, pane: 'api', waitSeconds: 40 * 60, risk: 'high' }),
    ]);
    expect(facts.approvals.answeredCount).toBe(1);
    expect(facts.approvals.medianLatencySeconds).toBe(600);
    expect(facts.plans).toEqual([
      expect.objectContaining({
        planId: 'checkout-flow',
        status: 'failed',
        nodes: 3,
        doneNodes: 1,
        failedNodes: [{ node: 'test', error: 'npm test exited 1' }],
      }),
    ]);
    expect(facts.git.base).toBe('main');
    const branches = Object.fromEntries(facts.git.branches.map((b) => [b.branch, b]));
    expect(branches['feature/api']).toMatchObject({ ahead: 3, behind: 0, filesChanged: 2, insertions: 3 });
    expect(branches['feature/docs']).toMatchObject({
      ahead: 2,
      filesChanged: 1,
      lastCommitSubject: 'Docs: API section',
    });
    expect(branches['feature/search']).toMatchObject({ ahead: 1, insertions: 1, deletions: 0 });
    expect(facts.history.completions.map((c) => c.task)).toEqual(['schema', 'docs', 'auth']);
    expect(facts.tests).toEqual([]); // not without runTests
    expect(facts.problems).toEqual(['app log: 1 malformed line(s) skipped']);
  });

  it('finds the bottlenecks, worst first', async () => {
    const { dir, pendingApprovalId } = await seeded();
    const review = await runReview({ workspace: dir, now: NOW, model: false });
    expect(review.bottlenecks.map((b) => b.key)).toEqual([
      `approval:${pendingApprovalId}`,
      'chain:api',
      'blocked:billing',
      'idle:search',
      'long:api',
      'plan:checkout-flow:run-1',
      'failing:billing',
    ]);
    const [approval, chain, blocked, idle, long] = review.bottlenecks;
    expect(approval!.summary).toBe(
      `approval ${pendingApprovalId} on pane api has waited 40 min to run \`psql -f migrations/004_orders.sql\` (high risk)`,
    );
    expect(approval!.holds).toEqual(['ui', 'e2e']);
    expect(chain!.summary).toBe('task api (EXECUTING) holds 2 other tasks: ui, e2e');
    expect(blocked!.summary).toBe(
      'task billing is blocked for 5 h: failure_streak (3 failed commands in a row)',
    );
    expect(idle!.summary).toBe('pane search has been idle for 2 h with task search (EXECUTING) unfinished');
    expect(long!.summary).toBe('task api has been EXECUTING for 3 days');
  });

  it('forecasts from the completion gaps, with a range, and says when history is too short', async () => {
    const { dir } = await seeded();
    const review = await runReview({ workspace: dir, now: NOW, model: false });
    const f = review.forecast;
    expect(f.enoughHistory).toBe(true);
    expect(f.completions).toBe(3);
    expect(f.remaining).toBe(5);
    // One task duration only (schema: dispatched 5 days ago, done 4 days ago; docs and auth were never
    // dispatched): too little for lanes, so the completion gaps (1 and 2 days) pace the fleet as one queue.
    expect((f as PacedForecast).basis).toBe('completion_gaps');
    expect(f.intervalSeconds).toEqual({ median: 1.5 * 86400, min: 86400, max: 2 * 86400 });
    expect(f.tasksPerDay).toBe(0.67);
    expect(f.overall).toEqual({
      expected: new Date(NOW.getTime() + 7.5 * DAY).toISOString(),
      earliest: new Date(NOW.getTime() + 5 * DAY).toISOString(),
      latest: new Date(NOW.getTime() + 10 * DAY).toISOString(),
    });
    // The order the rest can finish in: never a task before what it depends on.
    expect(f.tasks.map((t) => t.task)).toEqual(['api', 'search', 'billing', 'ui', 'e2e']);
    expect(f.tasks[0]!.range?.expected).toBe(new Date(NOW.getTime() + 1.5 * DAY).toISOString());

    // One completion only: no pace, and the review says so.
    const log = path.join(dir, '.fleetai/logs/app.jsonl');
    writeFileSync(
      log,
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => !/"task\.done".*"(docs|auth)"/.test(l))
        .join('\n'),
    );
    const state = path.join(dir, '.fleetai/state/supervisor.json');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { tasks: Record<string, { phase: string }> };
    saved.tasks.docs!.phase = 'EXECUTING';
    saved.tasks.auth!.phase = 'EXECUTING';
    writeFileSync(state, JSON.stringify(saved));
    const short = await runReview({ workspace: dir, now: NOW, model: false });
    expect(short.forecast.enoughHistory).toBe(false);
    expect(short.forecast.overall).toBeUndefined();
    expect(short.forecast.note).toMatch(/^Not enough history: 1 task completed so far/);
    expect(short.headline).toContain('not enough history for a forecast yet');
  });

  it('ranks concrete next steps with the exact commands', async () => {
    const { dir, pendingApprovalId } = await seeded();
    const review = await runReview({ workspace: dir, now: NOW, model: false });
    expect(review.source).toEqual({ kind: 'rules' });
    expect(review.recommendations.map((r) => [r.rank, r.action, r.command])).toEqual([
      [1, 'answer_approval', `fleet approvals:approve ${pendingApprovalId}`],
      [2, 'unblock_pane', 'fleet unblock billing'],
      [
        3,
        'nudge_pane',
        'fleet send search "Continue with task search: Product search. It is done when \\`rm -rf /tmp/fleetai-review-never-run-this\\` passes. Say what blocks you if something does."',
      ],
      [
        4,
        'split_task',
        'fleet plan:design "Split task api: Orders API into smaller steps with their own acceptance checks" --save',
      ],
      [5, 'replan', 'fleet plan:design --from-run run-1'],
      [6, 'merge_branch', 'git merge --no-ff feature/docs'],
    ]);
    expect(review.recommendations[0]!.title).toBe(
      `Answer approval ${pendingApprovalId} on pane api (waiting 40 min)`,
    );
    expect(review.recommendations[0]!.reason).toContain('2 tasks wait on it (ui, e2e)');
    expect(review.headline).toBe(
      `3 of 8 tasks done (38%); 7 bottlenecks, the worst: approval ${pendingApprovalId} on pane api has waited ` +
        '40 min to run `psql -f migrations/004_orders.sql` (high risk); if it is answered now, the rest is expected ' +
        'in about 7.5 days ' +
        '(5 days to 10 days), around Nov 28 00:00 UTC.',
    );
  });

  it('runs only the configured test commands with --run-tests, and skips a risky one', async () => {
    const { dir } = await seeded();
    const review = await runReview({ workspace: dir, now: NOW, model: false, runTests: true });
    expect(review.facts.tests.map((t) => [t.task, t.command, t.result])).toEqual([
      ['search', RISKY_ACCEPTANCE, 'skipped'],
      ['billing', FAILING_ACCEPTANCE, 'failed'],
      [undefined, 'test -f README.md', 'passed'],
    ]);
    expect(review.facts.tests[0]!.tail).toMatch(/^not run unattended: (high|critical) risk/);
    expect(review.bottlenecks.map((b) => b.key)).toContain('tests:billing');
    expect(review.recommendations.find((r) => r.action === 'fix_tests')).toMatchObject({
      pane: 'billing',
      command: `fleet send billing "\\\`${FAILING_ACCEPTANCE}\\\` fails. Find the cause, fix it and run it again until it passes."`,
    });
  });

  it('says what changed since the last review, from .fleetai/state/review/last.json', async () => {
    const { dir, pendingApprovalId } = await seeded();
    const first = await runReview({ workspace: dir, now: NOW, model: false });
    expect(first.sinceLast.previousAt).toBeUndefined();
    expect(existsSync(lastReviewFile(path.join(dir, '.fleetai/state')))).toBe(true);

    // Meanwhile: the approval is answered, search is done on a new commit, billing is unblocked.
    const { ApprovalStore } = await import('../../../extension/core/approvals');
    const { workspacePaths } = await import('../../../extension/core/workspacePaths');
    await ApprovalStore.forWorkspace(workspacePaths(dir)).decide(pendingApprovalId, 'approve', { by: 'cli' });
    const state = path.join(dir, '.fleetai/state/supervisor.json');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      tasks: Record<string, { phase: string; updated_at: string }>;
      panes: Record<string, { blockers: unknown[]; failure_streak: number; state: string }>;
    };
    saved.tasks.search = { phase: 'DONE', updated_at: NOW.toISOString() };
    saved.tasks.billing!.phase = 'EXECUTING';
    saved.panes.billing!.blockers = [];
    saved.panes.billing!.failure_streak = 0;
    saved.panes.billing!.state = 'working';
    writeFileSync(state, JSON.stringify(saved));
    const { execFileSync } = await import('node:child_process');
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@e',
    };
    execFileSync('git', ['checkout', '-q', 'feature/search'], { cwd: dir, env });
    writeFileSync(path.join(dir, 'search.js'), 'export function search(q) { return q; }\n');
    execFileSync('git', ['commit', '-q', '-am', 'Search works'], { cwd: dir, env });
    execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir, env });

    const later = new Date(NOW.getTime() + HOUR);
    const second = await runReview({ workspace: dir, now: later, model: false });
    expect(second.sinceLast).toEqual({
      previousAt: NOW.toISOString(),
      newlyDone: ['search'],
      phaseChanges: [
        { task: 'search', from: 'EXECUTING', to: 'DONE' },
        { task: 'billing', from: 'BLOCKED', to: 'EXECUTING' },
      ],
      newCommits: [{ branch: 'feature/search', commits: 1 }],
      newBottlenecks: [],
      resolvedBottlenecks: [
        `approval:${pendingApprovalId}`,
        'blocked:billing',
        'idle:search',
        'failing:billing',
      ],
      approvalsAnswered: 1,
    });
    const markdown = renderMarkdown(second);
    expect(markdown).toContain('- Done since then: search');
    expect(markdown).toContain('- feature/search: 1 new commit');
  });

  it('puts a stopped supervisor first when one ran here and work is left', async () => {
    const { dir } = await seeded();
    const state = path.join(dir, '.fleetai/state/supervisor.json');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as Record<string, unknown>;
    saved.orchestrator_heartbeat = new Date(NOW.getTime() - 2 * HOUR).toISOString();
    writeFileSync(state, JSON.stringify(saved));
    const review = await runReview({ workspace: dir, now: NOW, model: false });
    expect(review.facts.supervisor).toEqual({ running: false, heartbeat: saved.orchestrator_heartbeat });
    expect(review.bottlenecks[0]).toMatchObject({
      kind: 'supervisor_down',
      summary: 'no supervisor is running (last heartbeat 2 h ago) while 5 tasks are unfinished',
    });
    expect(review.recommendations[0]).toMatchObject({
      rank: 1,
      action: 'start_supervisor',
      command: 'fleet orchestrator',
    });
  });

  it('inside the supervisor (the digest) counts it as running; an exited agent gets a look, not a nudge', async () => {
    const { dir } = await seeded();
    // The control file the supervisor writes, naming this process: what the digest sees from inside it.
    writeFileSync(
      path.join(dir, '.fleetai/state/control.json'),
      JSON.stringify({
        socket: path.join(dir, '.fleetai/state/control.sock'),
        token: 't',
        pid: process.pid,
        started_at: NOW.toISOString(),
        workspace: dir,
      }),
    );
    const state = path.join(dir, '.fleetai/state/supervisor.json');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      orchestrator_heartbeat?: string;
      panes: Record<string, { state: string }>;
    };
    saved.orchestrator_heartbeat = NOW.toISOString();
    saved.panes['feature/search']!.state = 'exited';
    writeFileSync(state, JSON.stringify(saved));
    const review = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    expect(review.facts.supervisor.running).toBe(true);
    expect(review.bottlenecks.map((b) => b.kind)).not.toContain('supervisor_down');
    expect(review.recommendations.find((r) => r.pane === 'search')).toMatchObject({
      action: 'other',
      title: 'Find out why pane search exited and was not restarted',
      command: 'fleet status',
    });
  });

  it('gives one completion gap a range of half to twice it', async () => {
    const { dir } = await seeded();
    const log = path.join(dir, '.fleetai/logs/app.jsonl');
    writeFileSync(
      log,
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => !/"task\.done".*"schema"/.test(l))
        .join('\n'),
    );
    const state = path.join(dir, '.fleetai/state/supervisor.json');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { tasks: Record<string, { phase: string }> };
    saved.tasks.schema!.phase = 'EXECUTING';
    writeFileSync(state, JSON.stringify(saved));
    const { forecast } = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    expect(forecast.intervalSeconds).toEqual({ median: 2 * 86400, min: 86400, max: 4 * 86400 });
    expect(forecast.remaining).toBe(6);
    expect(forecast.overall).toEqual({
      expected: new Date(NOW.getTime() + 12 * DAY).toISOString(),
      earliest: new Date(NOW.getTime() + 6 * DAY).toISOString(),
      latest: new Date(NOW.getTime() + 24 * DAY).toISOString(),
    });
    expect(forecast.note).toContain('one gap shows no spread, so the range is half to twice it');
  });

  it('forecasts per lane once task durations are measured: lanes in parallel, dependencies first', async () => {
    const { dir } = await seeded();
    // The supervisor dispatched docs 3.5 days ago and auth 2.5 days ago (both finished: 3 days and 1 day ago).
    const log = path.join(dir, '.fleetai/logs/app.jsonl');
    const dispatched = (task: string, msAgo: number): string =>
      JSON.stringify({
        ts: new Date(NOW.getTime() - msAgo).toISOString(),
        level: 'info',
        category: 'audit',
        event: 'task.dispatched',
        context: { task },
      });
    writeFileSync(
      log,
      `${readFileSync(log, 'utf8')}${dispatched('docs', 3.5 * DAY)}\n${dispatched('auth', 2.5 * DAY)}\n`,
    );
    const review = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    const f = review.forecast as PacedForecast;
    // Durations: schema 1 day (unassigned lane), docs 0.5 day (branch feature/docs), auth 1.5 days (unassigned).
    // The unassigned lane (ui, e2e) has 2: median 1.25 days, 1 to 1.5. Panes api, search and billing have none:
    // the fleet's 3 durations (median 1 day, 0.5 to 1.5) widened to 0.25 .. 3 days.
    expect(f.basis).toBe('lanes');
    expect(f.lanes?.map((l) => [l.lane, l.paceFrom, l.secondsPerTask, l.tasks])).toEqual([
      ['unassigned', 'lane', { median: 1.25 * 86400, min: 86400, max: 1.5 * 86400 }, ['ui', 'e2e']],
      ['pane:api', 'fleet', { median: 86400, min: 0.25 * 86400, max: 3 * 86400 }, ['api']],
      ['pane:search', 'fleet', { median: 86400, min: 0.25 * 86400, max: 3 * 86400 }, ['search']],
      ['pane:billing', 'fleet', { median: 86400, min: 0.25 * 86400, max: 3 * 86400 }, ['billing']],
    ]);
    // Expected: api, search, billing 1 day each, side by side; ui after api: 1 + 1.25 = 2.25; e2e after ui:
    // 3.5. Earliest: 0.25; ui 0.25 + 1 = 1.25; e2e 2.25. Latest: 3; ui 3 + 1.5 = 4.5; e2e 6.
    const days = (d: number): string => new Date(NOW.getTime() + d * DAY).toISOString();
    expect(f.tasks.map((t) => [t.task, t.range])).toEqual([
      ['api', { expected: days(1), earliest: days(0.25), latest: days(3) }],
      ['search', { expected: days(1), earliest: days(0.25), latest: days(3) }],
      ['billing', { expected: days(1), earliest: days(0.25), latest: days(3) }],
      ['ui', { expected: days(2.25), earliest: days(1.25), latest: days(4.5) }],
      ['e2e', { expected: days(3.5), earliest: days(2.25), latest: days(6) }],
    ]);
    expect(f.overall).toEqual({ expected: days(3.5), earliest: days(2.25), latest: days(6) });
    // The fleet's throughput is still the completion gaps (4, 3 and 1 day ago: 1 and 2 days).
    expect(f.intervalSeconds).toEqual({ median: 1.5 * 86400, min: 86400, max: 2 * 86400 });
    expect(review.headline).toContain('the rest is expected in about 3.5 days (2.3 days to 6 days)');
    expect(renderMarkdown(review)).toContain(
      'Per lane, lanes in parallel: 3 task durations measured (median 24 h, 12 h to 1.5 days). Paced by their ' +
        'own history: unassigned tasks (30 h a task).',
    );
    // The lane table: the unassigned lane on its own pace, ui then e2e done in 3.5 days (2.25 to 6).
    const markdown = renderMarkdown(review);
    expect(markdown).toContain('| Lane | Remaining | Per task | Pace from | Done |');
    expect(markdown).toMatch(
      /\| unassigned \| 2 \| 30 h \(24 h–1\.5 days\) \| its own \(2 measured\) \| in about 3\.5 days/,
    );
    expect(markdown).toMatch(
      /\| pane:api \| 1 \| 24 h \(6 h–3 days\) \| the fleet \(widened\) \| in about 24 h/,
    );
  });

  it('reads the shortstat of git diff', () => {
    expect(parseShortstat(' 3 files changed, 10 insertions(+), 2 deletions(-)\n')).toEqual({
      filesChanged: 3,
      insertions: 10,
      deletions: 2,
    });
    expect(parseShortstat(' 1 file changed, 1 deletion(-)')).toEqual({
      filesChanged: 1,
      insertions: 0,
      deletions: 1,
    });
    expect(parseShortstat('')).toEqual({ filesChanged: 0, insertions: 0, deletions: 0 });
  });

  it('reviews a folder that is not a git repository and has no FleetAI data', async () => {
    const dir = tempDir();
    const review = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    expect(review.facts.git.available).toBe(false);
    expect(review.facts.problems.some((p) => p.startsWith('git: '))).toBe(true);
    expect(review.bottlenecks).toEqual([]);
    expect(review.forecast.note).toBe('No tasks are configured.');
    expect(review.headline).toBe('No tasks are configured.');
    expect(existsSync(path.join(dir, '.fleetai'))).toBe(false);
  });
});
