import { memo, useState } from 'react';
import type {
  DashboardReviewState,
  PaneView,
  ReviewRangeView,
  ReviewView,
} from '../../extension/protocol/messages';
import { ActionButton, Ago, IconButton, useWords } from '../shared/components';
import type { MessageKey, Translate } from '../shared/i18n';
import { clockTime, shortDuration } from '../shared/time';
import { paneStateText, phaseWord } from '../shared/words';
import {
  bottleneckSubject,
  canRunReview,
  codeSpans,
  rangeFromNow,
  reviewButton,
  reviewTaskOrder,
} from './model';

/** What the section needs of a pane: whether this window has it and can nudge it. */
export type ReviewPane = Pick<PaneView, 'id' | 'state'>;

export interface ReviewActions {
  run: (runTests: boolean) => void;
  copy: (text: string) => Promise<boolean>;
  nudge: (pane: string) => void;
  showApprovals: () => void;
}

const bottleneckKindText: Record<ReviewView['bottlenecks'][number]['kind'], MessageKey> = {
  supervisor_down: 'supervisor down',
  blocked_task: 'blocked task',
  approval_wait: 'approval wait',
  stall: 'stall',
  failing_commands: 'failing commands',
  idle_agent: 'idle agent',
  dependency_chain: 'dependency chain',
  failed_plan: 'failed plan',
  failing_tests: 'failing tests',
  long_running_task: 'long-running task',
};

const planStatusText: Record<string, MessageKey> = {
  running: 'running',
  waiting_approval: 'waiting for approval',
  done: 'done',
  failed: 'failed',
};

/** A review sentence with its `quoted commands` shown as code. */
function Sentence({ text }: { text: string }): React.JSX.Element {
  return <>{codeSpans(text).map((part, i) => (part.code ? <code key={i}>{part.text}</code> : part.text))}</>;
}

/** A pane state word from the review (the supervisor's or the log's), in the person's words when it is one. */
function paneStateWord(t: Translate, state: string): string {
  return Object.hasOwn(paneStateText, state) ? t(paneStateText[state as keyof typeof paneStateText]) : state;
}

const subjectText: Record<'approval' | 'pane' | 'task' | 'plan', MessageKey> = {
  approval: 'approval {0}',
  pane: 'pane {0}',
  task: 'task {0}',
  plan: 'plan {0}',
};

/**
 * The project review on the dashboard (issue 9): the same review as FleetAI: Review Project and `fleet review`,
 * asked of the host with "Run review"; the last one the workspace remembers shows when the dashboard opens.
 */
export const ReviewSection = memo(function ReviewSection(props: {
  review: DashboardReviewState | undefined;
  panes: ReviewPane[];
  connected: boolean;
  actions: ReviewActions;
}) {
  const { t } = useWords();
  const state = props.review ?? { state: 'none' as const };
  const canRun = canRunReview(state, props.connected);
  const running = state.state === 'running';
  return (
    <section className="review" data-testid="review" data-state={state.state} aria-busy={running}>
      <div className="review-head">
        <h2>{t('Project review')}</h2>
        <span className="spacer" />
        <ActionButton
          testId="review-run"
          icon="checklist"
          disabled={!canRun}
          spin={running && state.runTests !== true}
          onAct={() => props.actions.run(false)}
        >
          {t('Run review')}
        </ActionButton>
        <ActionButton
          testId="review-run-tests"
          secondary
          icon="beaker"
          disabled={!canRun}
          label={t('Also runs the configured test commands (each judged by the risk rules first)')}
          onAct={() => props.actions.run(true)}
        >
          {t('Run with tests')}
        </ActionButton>
      </div>
      {running ? (
        <p className="review-running" data-testid="review-running" role="status">
          <vscode-progress-ring className="review-ring" aria-hidden="true" />
          {state.runTests ? t('Reviewing the project and running its tests…') : t('Reviewing the project…')}
          {state.startedAt ? (
            <span className="muted">
              {' '}
              (<Ago at={state.startedAt} />)
            </span>
          ) : null}
        </p>
      ) : null}
      {state.state === 'failed' && state.error ? (
        <p className="review-error" data-testid="review-error" role="alert" data-code={state.error.code}>
          {t('The review failed: {0}', state.error.message)}{' '}
          <span className="muted">({state.error.code})</span>
        </p>
      ) : null}
      {state.last ? (
        <p className="review-last muted" data-testid="review-last">
          {t(
            'Newest review ({0}, {1} of {2} tasks done): {3}',
            clockTime(state.last.at, Date.now()),
            state.last.done,
            state.last.total,
            state.last.headline,
          )}{' '}
          {state.review ? null : t('Run review to see its details here.')}
        </p>
      ) : null}
      {state.review ? (
        <ReviewBody
          review={state.review}
          panes={props.panes}
          connected={props.connected}
          actions={props.actions}
        />
      ) : !state.last && !running && state.state !== 'failed' ? (
        <p className="muted" data-testid="review-empty">
          {t(
            'No review yet. "Run review" reads the tasks, panes, approvals, plans and git, and says what to do next.',
          )}
        </p>
      ) : null}
    </section>
  );
});

function ReviewBody(props: {
  review: ReviewView;
  panes: ReviewPane[];
  connected: boolean;
  actions: ReviewActions;
}): React.JSX.Element {
  const { t } = useWords();
  const { review } = props;
  const now = Date.now();
  return (
    <div className="review-body" data-testid="review-body" data-generated-at={review.generatedAt}>
      <p className="review-headline" data-testid="review-headline">
        <Sentence text={review.headline} />
      </p>
      <p className="review-source muted" data-testid="review-source" data-source={review.source.kind}>
        {review.source.kind === 'model'
          ? t('Recommendations by the model {0}', review.source.model ?? '')
          : t('Recommendations by the rules')}
        <span className="sep">·</span>
        <time dateTime={review.generatedAt}>{clockTime(review.generatedAt, now)}</time> (
        <Ago at={review.generatedAt} />)
        {review.testsRun ? (
          <>
            <span className="sep">·</span>
            {t('tests run')}
          </>
        ) : null}
      </p>
      {review.source.note ? <p className="review-note muted">{review.source.note}</p> : null}

      <h3>{t('Progress')}</h3>
      <ReviewProgress review={review} now={now} />

      <h3>{t('Since the last review')}</h3>
      <SinceLast review={review} />

      <h3>{t('Bottlenecks')}</h3>
      <Bottlenecks review={review} />

      <h3>{t('Forecast')}</h3>
      <ForecastPart review={review} now={now} />

      <h3>{t('Next steps')}</h3>
      <NextSteps review={review} panes={props.panes} connected={props.connected} actions={props.actions} />

      {review.problems.length > 0 ? (
        <>
          <h3>{t('Not read')}</h3>
          <ul className="review-problems" data-testid="review-problems">
            {review.problems.map((p) => (
              <li key={p} className="muted">
                {p}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** "in about 2h (1h to 4h), around 18:30:00" */
function rangeText(t: Translate, range: ReviewRangeView, now: number): string {
  const { expectedMs, earliestMs, latestMs } = rangeFromNow(range, now);
  return t(
    'in about {0} ({1} to {2}), around {3}',
    shortDuration(t, expectedMs),
    shortDuration(t, earliestMs),
    shortDuration(t, latestMs),
    clockTime(range.expected, now),
  );
}

function ReviewProgress({ review, now }: { review: ReviewView; now: number }): React.JSX.Element {
  const { t } = useWords();
  const { progress } = review;
  const tasks = reviewTaskOrder(review.tasks);
  return (
    <>
      <p data-testid="review-progress">
        {t('{0} of {1} tasks done ({2}%)', progress.done, progress.total, progress.percent)}
        {(Object.entries(progress.byPhase) as [keyof typeof progress.byPhase, number][])
          .filter(([, n]) => n > 0)
          .map(([phase, n]) => (
            <span key={phase} className={`review-phase phase-${phase}`}>
              {n} {phaseWord(t, phase)}
            </span>
          ))}
      </p>
      {tasks.length > 0 ? (
        <table className="grid review-tasks">
          <thead>
            <tr>
              <th>{t('Task')}</th>
              <th>{t('Phase')}</th>
              <th>{t('Pane')}</th>
              <th>{t('Branch')}</th>
              <th>{t('Commits ahead')}</th>
              <th>{t('Diff')}</th>
              <th>{t('Expected')}</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr key={task.id} data-testid="review-task" data-task-id={task.id}>
                <td>
                  {task.title} <span className="muted">{task.id}</span>
                </td>
                <td className={`phase phase-${task.phase} nowrap`}>{phaseWord(t, task.phase)}</td>
                <td>
                  {task.pane ?? ''}
                  {task.paneState ? (
                    <span className="muted"> ({paneStateWord(t, task.paneState)})</span>
                  ) : null}
                </td>
                <td>{task.branch ?? ''}</td>
                <td>{task.ahead ?? ''}</td>
                <td className="nowrap">
                  {task.insertions !== undefined ? `+${task.insertions} −${task.deletions ?? 0}` : ''}
                </td>
                <td data-testid="review-task-expected">
                  {task.phase === 'DONE'
                    ? task.doneAt
                      ? t('done {0}', clockTime(task.doneAt, now))
                      : t('done')
                    : task.expected
                      ? rangeText(t, task.expected, now)
                      : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {review.branches.length > 0 ? (
        <table className="grid review-branches" data-testid="review-branches">
          <thead>
            <tr>
              <th>{t('Branch')}</th>
              <th>{t('Commits ahead')}</th>
              <th>{t('Behind')}</th>
              <th>{t('Diff')}</th>
              <th>{t('Last commit')}</th>
            </tr>
          </thead>
          <tbody>
            {review.branches.map((b) => (
              <tr key={b.branch}>
                <td>{b.branch}</td>
                <td>{b.ahead}</td>
                <td>{b.behind}</td>
                <td className="nowrap">{`+${b.insertions} −${b.deletions}`}</td>
                <td className="muted">{b.lastCommitAt ? clockTime(b.lastCommitAt, now) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {review.plans.length > 0 ? (
        <table className="grid review-plans" data-testid="review-plans">
          <thead>
            <tr>
              <th>{t('Plan')}</th>
              <th>{t('Status')}</th>
              <th>{t('Nodes done')}</th>
              <th>{t('Failed')}</th>
              <th>{t('Waiting for approval')}</th>
            </tr>
          </thead>
          <tbody>
            {review.plans.map((p) => (
              <tr key={`${p.planId}/${p.thread}`}>
                <td>
                  {p.planId} <span className="muted">{p.thread}</span>
                </td>
                <td>{planStatusText[p.status] ? t(planStatusText[p.status]!) : p.status}</td>
                <td>{`${p.doneNodes}/${p.nodes}`}</td>
                <td>{p.failedNodes}</td>
                <td>{p.waitingNodes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function SinceLast({ review }: { review: ReviewView }): React.JSX.Element {
  const { t } = useWords();
  const s = review.sinceLast;
  if (!s.previousAt)
    return <p className="muted">{t('This is the first review: the next one will say what changed.')}</p>;
  const lines: string[] = [];
  if (s.newlyDone.length > 0) lines.push(t('Done since: {0}', s.newlyDone.join(', ')));
  for (const c of s.phaseChanges) lines.push(t('{0}: {1} → {2}', c.task, c.from, c.to));
  for (const c of s.newCommits) lines.push(t('{0}: {1} new commits', c.branch, c.commits));
  if (s.approvalsAnswered > 0) lines.push(t('{0} approvals answered', s.approvalsAnswered));
  if (s.resolvedBottlenecks.length > 0) lines.push(t('Resolved: {0}', s.resolvedBottlenecks.join(', ')));
  if (s.newBottlenecks.length > 0) lines.push(t('New bottlenecks: {0}', s.newBottlenecks.join(', ')));
  return (
    <div data-testid="review-since">
      <p className="muted">{t('Compared with the review of {0}.', clockTime(s.previousAt, Date.now()))}</p>
      {lines.length === 0 ? (
        <p>{t('Nothing changed.')}</p>
      ) : (
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Bottlenecks({ review }: { review: ReviewView }): React.JSX.Element {
  const { t } = useWords();
  if (review.bottlenecks.length === 0) return <p className="muted">{t('Nothing is stuck.')}</p>;
  return (
    <ol className="review-bottlenecks">
      {review.bottlenecks.map((b) => {
        const subject = bottleneckSubject(b);
        return (
          <li key={b.key} data-testid="review-bottleneck" data-kind={b.kind} data-key={b.key}>
            <span className={`review-kind kind-${b.kind}`}>{t(bottleneckKindText[b.kind])}</span>
            {subject ? (
              <span className="review-subject">{t(subjectText[subject.kind], subject.id)}</span>
            ) : null}
            {b.seconds !== undefined ? (
              <span className="muted">{t('for {0}', shortDuration(t, b.seconds * 1000))}</span>
            ) : null}
            <div className="review-why">
              <Sentence text={b.summary} />
            </div>
            {b.holds && b.holds.length > 0 ? (
              <div className="muted">{t('Holds up: {0}', b.holds.join(', '))}</div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

function ForecastPart({ review, now }: { review: ReviewView; now: number }): React.JSX.Element {
  const { t } = useWords();
  const f = review.forecast;
  return (
    <div data-testid="review-forecast" data-enough-history={f.enoughHistory ? 'true' : 'false'}>
      {f.overall ? (
        <p>{t('The last task: {0}', rangeText(t, f.overall, now))}</p>
      ) : f.remaining === 0 ? (
        <p>{t('Nothing remains.')}</p>
      ) : (
        <p>{t('Not enough history for a forecast yet ({0} completions measured).', f.completions)}</p>
      )}
      {f.intervalSeconds ? (
        <p className="muted">
          {t(
            'A task finishes every {0} (median; fastest {1}, slowest {2}).',
            shortDuration(t, f.intervalSeconds.median * 1000),
            shortDuration(t, f.intervalSeconds.min * 1000),
            shortDuration(t, f.intervalSeconds.max * 1000),
          )}
        </p>
      ) : null}
      <p className="muted review-note">{f.note}</p>
    </div>
  );
}

function NextSteps(props: {
  review: ReviewView;
  panes: ReviewPane[];
  connected: boolean;
  actions: ReviewActions;
}): React.JSX.Element {
  const { t } = useWords();
  if (props.review.recommendations.length === 0) return <p className="muted">{t('Nothing to do.')}</p>;
  return (
    <ol className="review-steps">
      {props.review.recommendations.map((rec) => (
        <Step key={`${rec.rank}:${rec.command}`} rec={rec} {...props} />
      ))}
    </ol>
  );
}

function Step(props: {
  rec: ReviewView['recommendations'][number];
  panes: ReviewPane[];
  connected: boolean;
  actions: ReviewActions;
}): React.JSX.Element {
  const { t } = useWords();
  const { rec } = props;
  const [copied, setCopied] = useState<boolean | undefined>(undefined);
  const button = reviewButton(rec, props.panes);
  return (
    <li className="review-step" data-testid="review-step" data-rank={rec.rank} data-action={rec.action}>
      <div className="review-step-head">
        <span className="review-rank">{rec.rank}.</span>
        <strong>
          <Sentence text={rec.title} />
        </strong>
        {button?.kind === 'nudge' ? (
          <ActionButton
            testId="review-nudge"
            icon="debug-continue"
            disabled={!props.connected}
            onAct={() => props.actions.nudge(button.pane)}
          >
            {t('Nudge')}
          </ActionButton>
        ) : null}
        {button?.kind === 'approvals' ? (
          <ActionButton
            testId="review-open-approvals"
            icon="shield"
            disabled={!props.connected}
            onAct={props.actions.showApprovals}
          >
            {t('Open approvals')}
          </ActionButton>
        ) : null}
      </div>
      <div className="review-why">
        <Sentence text={rec.reason} />
      </div>
      <div className="review-command">
        <code data-testid="review-command">{rec.command}</code>
        <IconButton
          icon={copied ? 'check' : 'copy'}
          label={copied === false ? t('Could not copy') : copied ? t('Copied') : t('Copy command')}
          testId="review-copy"
          disabled={!props.connected}
          onAct={() => void props.actions.copy(rec.command).then(setCopied)}
        />
      </div>
    </li>
  );
}
