import { memo } from 'react';
import type { PaneAction, PaneView } from '../../extension/protocol/messages';
import { Age, Ago, IconButton, useWords } from '../shared/components';
import { paneStateText, phaseWord, riskText } from '../shared/words';
import { actionsFor } from './model';

export interface PaneRowProps {
  pane: PaneView;
  taskTitle: string | undefined;
  expanded: boolean;
  /** False while the host does not answer: every action is disabled. */
  canAct: boolean;
  /** The action of this pane still waiting for the host's answer, if any. */
  busy: PaneAction | undefined;
  onToggle: (paneId: string, expanded: boolean) => void;
  onAction: (paneId: string, action: PaneAction) => void;
}

const ACTIONS: {
  action: PaneAction;
  icon: string;
  label: 'Focus' | 'Nudge' | 'Restart' | 'Stop' | 'Open transcript';
}[] = [
  { action: 'focus', icon: 'terminal', label: 'Focus' },
  { action: 'nudge', icon: 'debug-continue', label: 'Nudge' },
  { action: 'restart', icon: 'debug-restart', label: 'Restart' },
  { action: 'stop', icon: 'debug-stop', label: 'Stop' },
  { action: 'openTranscript', icon: 'file-text', label: 'Open transcript' },
];

/**
 * One pane of the fleet (seed 000/001 "Orchestrator column"): its state in the theme's colour for that state,
 * what the supervisor knows about it, and its actions. Memoised: snapshots keep the identity of unchanged panes
 * (sharing.ts), so a snapshot in which one pane changed renders one row.
 */
export const PaneRow = memo(function PaneRow(props: PaneRowProps): React.JSX.Element {
  const { t } = useWords();
  const { pane, expanded } = props;
  const allowed = actionsFor(pane.state);
  const meta = [pane.kind, pane.branch, pane.phase ? phaseWord(t, pane.phase) : undefined].filter(Boolean);
  return (
    <article className={`pane state-${pane.state}`} data-testid="pane-row" data-pane-id={pane.id}>
      <header className="pane-head">
        <span className={`pane-state state-${pane.state}`} data-testid="pane-state" data-state={pane.state}>
          {t(paneStateText[pane.state])}
        </span>
        <span className="pane-name">{pane.name}</span>
        <span className="pane-meta">
          {meta.join(' · ')}
          {meta.length ? ' · ' : ''}
          <span title={t('time in this state')}>
            <Age since={pane.stateSince} />
          </span>
        </span>
        {pane.pendingApprovals > 0 ? (
          <vscode-badge
            variant="counter"
            className="pane-pending"
            title={t('{0} pending approvals', pane.pendingApprovals)}
          >
            {pane.pendingApprovals}
          </vscode-badge>
        ) : null}
        <span className="pane-actions">
          {ACTIONS.map(({ action, icon, label }) => (
            <IconButton
              key={action}
              testId={`pane-action-${action}`}
              icon={props.busy === action ? 'loading' : icon}
              spin={props.busy === action}
              label={t(label)}
              disabled={!props.canAct || !allowed[action] || props.busy !== undefined}
              onAct={() => props.onAction(pane.id, action)}
            />
          ))}
        </span>
      </header>
      <div className="pane-body">
        {pane.reason ? <p className="pane-reason">{pane.reason}</p> : null}
        {pane.taskId ? (
          <p className="pane-line">
            <span className="label">{t('Task')}</span>
            <span>{props.taskTitle ?? pane.taskId}</span>
            {pane.owner ? <span className="muted"> · {t('owner {0}', pane.owner)}</span> : null}
          </p>
        ) : pane.owner ? (
          <p className="pane-line">
            <span className="label">{t('Owner')}</span>
            <span>{pane.owner}</span>
          </p>
        ) : null}
        {pane.blockers.length ? (
          <div className="pane-line">
            <span className="label">{t('Blockers')}</span>
            <ul className="blockers">
              {pane.blockers.map((b, i) => (
                <li key={`${b.kind}|${b.since}|${i}`}>
                  <strong>{b.kind}</strong>: {b.reason}
                  <span className="muted">
                    {' '}
                    · {t('retries {0}', b.retries)} · <Ago at={b.since} />
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {pane.nextActions.length ? (
          <div className="pane-line">
            <span className="label">{t('Next actions')}</span>
            <ul className="next-actions">
              {pane.nextActions.map((a, i) => (
                <li key={`${i}|${a}`}>{a}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {pane.queued.length ? (
          <div className="pane-line">
            <span className="label">{t('Queued')}</span>
            <ul className="queued">
              {pane.queued.map((q) => (
                <li
                  key={q.id}
                  className={q.approvalId ? 'waits-approval' : undefined}
                  data-testid="queued-command"
                >
                  <code>{q.text}</code> <span className={`risk risk-${q.risk}`}>{t(riskText[q.risk])}</span>
                  {q.approvalId ? (
                    <span className="waits" data-testid="queued-waits-approval">
                      {' '}
                      · {t('waits for approval')}
                    </span>
                  ) : null}
                  <span className="muted">
                    {' '}
                    · {q.kind} · {q.source} · <Ago at={q.queuedAt} />
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {pane.lastResult ? (
          <p className="pane-line">
            <span className="label">{t('Last result')}</span>
            <code>{pane.lastResult.text}</code>
            <span className={`result result-${pane.lastResult.result}`}> → {pane.lastResult.result}</span>
            {pane.lastResult.detail ? <span className="muted"> · {pane.lastResult.detail}</span> : null}
            <span className="muted">
              {' '}
              · <Ago at={pane.lastResult.at} />
            </span>
          </p>
        ) : null}
        {pane.failureStreak > 0 ? (
          <p className="pane-line failure-streak" data-testid="failure-streak">
            <span className="label">{t('Failure streak')}</span>
            <span>{t('{0} failures in a row', pane.failureStreak)}</span>
          </p>
        ) : null}
        {pane.recentActions.length ? (
          <>
            <button
              type="button"
              className="link"
              aria-expanded={expanded}
              data-testid="pane-details-toggle"
              onClick={() => props.onToggle(pane.id, !expanded)}
            >
              {expanded ? t('Hide details') : t('Show details')}
            </button>
            {expanded ? (
              <div className="pane-line">
                <span className="label">{t('Recent actions')}</span>
                <ul className="recent-actions">
                  {pane.recentActions.map((a, i) => (
                    <li key={`${a.at}|${i}`}>
                      <Ago at={a.at} /> · {a.action}
                      {a.detail ? <span className="muted"> · {a.detail}</span> : null}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </>
        ) : null}
      </div>
    </article>
  );
});
