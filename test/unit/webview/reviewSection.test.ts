import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, ProtocolErrorCode } from '../../../extension/protocol/endpoint';
import {
  DashboardReviewState,
  DashboardSnapshot,
  requests,
  type ReviewView,
} from '../../../extension/protocol/messages';
import { createMemoryTransportPair } from '../../../extension/protocol/transport';
import {
  bottleneckSubject,
  canRunReview,
  codeSpans,
  rangeFromNow,
  reviewButton,
  reviewTaskOrder,
} from '../../../webview/dashboard/model';
import { translator } from '../../../webview/shared/i18n';

type Rec = ReviewView['recommendations'][number];
const rec = (over: Partial<Rec>): Rec => ({
  rank: 1,
  action: 'other',
  title: 'Do it',
  reason: 'because',
  command: 'fleet status',
  ...over,
});

describe('the review section: which steps the dashboard can do itself', () => {
  const panes = [
    { id: 'api', state: 'stalled' as const },
    { id: 'gone', state: 'exited' as const },
  ];

  it('nudges a live pane of this window, opens the approvals queue, and leaves the rest to the command', () => {
    expect(reviewButton(rec({ action: 'nudge_pane', pane: 'api' }), panes)).toEqual({
      kind: 'nudge',
      pane: 'api',
    });
    expect(reviewButton(rec({ action: 'answer_approval', approvalId: 'a1' }), panes)).toEqual({
      kind: 'approvals',
    });
    // An exited pane cannot be nudged; a pane this window does not run has no button either.
    expect(reviewButton(rec({ action: 'nudge_pane', pane: 'gone' }), panes)).toBeUndefined();
    expect(reviewButton(rec({ action: 'nudge_pane', pane: 'elsewhere' }), panes)).toBeUndefined();
    expect(reviewButton(rec({ action: 'merge_branch' }), panes)).toBeUndefined();
    expect(reviewButton(rec({ action: 'unblock_pane', pane: 'api' }), panes)).toBeUndefined();
  });

  it('names what a bottleneck is about, most specific first', () => {
    const b = { kind: 'approval_wait' as const, key: 'k', summary: 's', weight: 1 };
    expect(bottleneckSubject({ ...b, approvalId: 'a1', pane: 'api', task: 't' })).toEqual({
      kind: 'approval',
      id: 'a1',
    });
    expect(bottleneckSubject({ ...b, pane: 'api', task: 't' })).toEqual({ kind: 'pane', id: 'api' });
    expect(bottleneckSubject({ ...b, task: 't', plan: 'p' })).toEqual({ kind: 'task', id: 't' });
    expect(bottleneckSubject({ ...b, plan: 'p' })).toEqual({ kind: 'plan', id: 'p' });
    expect(bottleneckSubject(b)).toBeUndefined();
  });

  it('states a forecast range from now, never negative', () => {
    const now = Date.parse('2026-11-20T12:00:00.000Z');
    expect(
      rangeFromNow(
        {
          expected: '2026-11-20T14:00:00.000Z',
          earliest: '2026-11-20T11:00:00.000Z',
          latest: '2026-11-21T12:00:00.000Z',
        },
        now,
      ),
    ).toEqual({ expectedMs: 2 * 3600_000, earliestMs: 0, latestMs: 24 * 3600_000 });
  });

  it('lists unfinished tasks in forecast order, then done ones, and runs one review at a time', () => {
    const task = (id: string, phase: ReviewView['tasks'][number]['phase'], position?: number) => ({
      id,
      title: id,
      phase,
      ...(position ? { position } : {}),
    });
    expect(
      reviewTaskOrder([
        task('d1', 'DONE'),
        task('b', 'EXECUTING', 2),
        task('x', 'PLANNING'),
        task('a', 'EXECUTING', 1),
      ]).map((t) => t.id),
    ).toEqual(['a', 'b', 'x', 'd1']);
    expect(canRunReview(undefined, true)).toBe(true);
    expect(canRunReview({ state: 'running' }, true)).toBe(false);
    expect(canRunReview({ state: 'ready' }, false)).toBe(false);
  });

  it("shows the review's quoted commands as code, and leaves an unpaired backtick as text", () => {
    expect(codeSpans('approval a1 waits to run `touch approved.txt` (medium risk)')).toEqual([
      { code: false, text: 'approval a1 waits to run ' },
      { code: true, text: 'touch approved.txt' },
      { code: false, text: ' (medium risk)' },
    ]);
    expect(codeSpans('`a` and `b`')).toEqual([
      { code: true, text: 'a' },
      { code: false, text: ' and ' },
      { code: true, text: 'b' },
    ]);
    expect(codeSpans('no code here')).toEqual([{ code: false, text: 'no code here' }]);
    expect(codeSpans('`a` then a stray ` tick')).toEqual([
      { code: true, text: 'a' },
      { code: false, text: ' then a stray ` tick' },
    ]);
  });

  it('has every string in Chinese', () => {
    const zh = translator('zh-cn');
    expect(zh('Run review')).toBe('运行评审');
    expect(zh('in about {0} ({1} to {2}), around {3}', '2 小时', '1 小时', '4 小时', '14:00:00')).toBe(
      '约 2 小时 后（1 小时 至 4 小时），约在 14:00:00',
    );
  });
});

describe('the review messages of the protocol', () => {
  const open: Endpoint[] = [];
  afterEach(() => {
    for (const e of open.splice(0)) e.dispose();
  });

  it('defaults runTests to false and refuses a malformed review.run with a message naming the field', async () => {
    expect(requests['review.run'].params.parse({})).toEqual({ runTests: false });
    const bad = requests['review.run'].params.safeParse({ runTests: 'yes' });
    expect(bad.success).toBe(false);

    const [hostSide, viewSide] = createMemoryTransportPair();
    let ran = 0;
    const host = new Endpoint(hostSide, {
      'review.run': () => {
        ran += 1;
        return { state: 'none' };
      },
    });
    const view = new Endpoint(viewSide, {}, { timeoutMs: 2000 });
    open.push(host, view);
    const answer = await view.request('review.run', { runTests: 'yes' as unknown as boolean });
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error.code).toBe(ProtocolErrorCode.BadParams);
      expect(answer.error.message).toMatch(/review\.run/);
      expect(answer.error.message).toMatch(/runTests/);
    }
    expect(ran).toBe(0);
    const copy = await view.request('host.copyText', { text: '' });
    expect(copy.ok).toBe(false);
  });

  it('refuses a review result that does not fit: a negative count, an unknown bottleneck kind, an error without a code', async () => {
    const [hostSide, viewSide] = createMemoryTransportPair();
    const host = new Endpoint(hostSide, {
      'review.run': () => ({ state: 'failed', error: { code: '', message: 'x' } }) as never,
    });
    const view = new Endpoint(viewSide, {}, { timeoutMs: 2000 });
    open.push(host, view);
    const answer = await view.request('review.run', {});
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.code).toBe(ProtocolErrorCode.BadResult);

    expect(DashboardReviewState.safeParse({ state: 'done' }).success).toBe(false);
    expect(
      DashboardReviewState.safeParse({ state: 'failed', error: { code: 'E_X', message: 'm' } }).success,
    ).toBe(true);
    const snapshot = {
      supervisor: { mode: 'off', heartbeat: 'idle', dryRun: false },
      panes: [],
      tasks: [],
      events: [],
      pendingApprovals: 0,
      updatedAt: '2026-11-20T12:00:00.000Z',
    };
    // A host without a review section still sends valid snapshots.
    expect(DashboardSnapshot.parse(snapshot).review).toBeUndefined();
    const broken = DashboardSnapshot.safeParse({
      ...snapshot,
      review: {
        state: 'ready',
        review: { generatedAt: 'x', headline: 'h', bottlenecks: [{ kind: 'coffee_break' }] },
      },
    });
    expect(broken.success).toBe(false);
    if (!broken.success)
      expect(broken.error.issues.map((i) => i.path.join('.')).join(' ')).toMatch(/review\.review/);
  });
});
