import { memo } from 'react';
import type { ApprovalView } from '../../extension/protocol/messages';
import { ActionButton, Ago, Icon, useWords } from '../shared/components';
import type { Translate } from '../shared/i18n';
import { approvalKindText, riskText } from '../shared/words';
import { isLoud, type Outcome } from './model';

export interface ApprovalRowProps {
  approval: ApprovalView;
  outcome: Outcome | undefined;
  /** Whether Approve/Deny may act on it (still queued, no answer on its way or recorded). */
  answerable: boolean;
  /** False while the host does not answer. */
  canAct: boolean;
  note: string;
  excerptOpen: boolean;
  onNote: (id: string, text: string) => void;
  onToggleExcerpt: (id: string, open: boolean) => void;
  onDecide: (id: string, decision: 'approve' | 'deny') => void;
  onDismiss: (id: string) => void;
}

function outcomeText(t: Translate, outcome: Outcome): string {
  switch (outcome.kind) {
    case 'sending':
      return outcome.decision === 'approve' ? t('Approve') : t('Deny');
    case 'done':
      return outcome.decision === 'approve' ? t('Approved.') : t('Denied.');
    case 'refused':
      return t('Not recorded: {0}', outcome.message);
    case 'failed':
      return outcome.lost
        ? t('FleetAI did not answer, so your decision may not have been recorded: {0}', outcome.message)
        : t('Not recorded: {0}', outcome.message);
  }
}

/** An excerpt opens on its last lines: that is where the agent's question is. */
function showEnd(element: HTMLPreElement | null): void {
  if (element) element.scrollTop = element.scrollHeight;
}

/**
 * One request waiting for a person, with everything needed to decide: what, how risky and why, who asks, since
 * when, and what the agent's screen showed (collapsed: excerpts are long). Memoised on the approval's identity,
 * which unchanged requests keep across snapshots.
 */
export const ApprovalRow = memo(function ApprovalRow(props: ApprovalRowProps): React.JSX.Element {
  const { t } = useWords();
  const { approval: a, outcome } = props;
  const sending = outcome?.kind === 'sending';
  const disabled = !props.canAct || !props.answerable || sending;
  const who = [a.paneName ?? a.pane, a.branch, a.agent].filter(Boolean).join(' · ');
  return (
    <article
      className={`approval risk-${a.risk}${isLoud(a.risk) ? ' loud' : ''}${outcome && outcome.kind !== 'failed' ? ' answered' : ''}`}
      data-testid="approval-row"
      data-approval-id={a.id}
      data-risk={a.risk}
    >
      <header className="approval-head">
        <span className={`risk-badge risk-${a.risk}`} data-testid="approval-risk">
          {t(riskText[a.risk])}
        </span>
        <span className="approval-kind">{t(approvalKindText[a.kind])}</span>
        <span className="approval-who">{who}</span>
        <span className="muted">
          {a.source === 'agent' ? t('asked by the agent') : t('asked by FleetAI')}
        </span>
        <span className="spacer" />
        <span className="muted approval-when">
          {t('requested')} <Ago at={a.requestedAt} />
        </span>
        <span className="muted approval-id">{a.id}</span>
      </header>
      {a.command !== undefined ? (
        <div className="approval-field">
          <span className="label">{a.kind === 'edit' ? t('Edit') : t('Command')}</span>
          <pre className="command">
            <code>{a.command}</code>
          </pre>
        </div>
      ) : null}
      {a.reason || a.reasons.length ? (
        <div className="approval-field">
          <span className="label">{t('Why')}</span>
          <div>
            {a.reason ? <p className="reason">{a.reason}</p> : null}
            {a.reasons.length ? (
              <ul className="reasons">
                {a.reasons.map((r, i) => (
                  <li key={`${i}|${r}`}>{r}</li>
                ))}
              </ul>
            ) : null}
          </div>
        </div>
      ) : null}
      <div className="excerpt-block">
        <button
          type="button"
          className="link"
          aria-expanded={props.excerptOpen}
          data-testid="approval-excerpt-toggle"
          onClick={() => props.onToggleExcerpt(a.id, !props.excerptOpen)}
        >
          <Icon name={props.excerptOpen ? 'chevron-down' : 'chevron-right'} />
          {props.excerptOpen ? t('Hide transcript excerpt') : t('Show transcript excerpt')}
        </button>
        {props.excerptOpen ? (
          a.transcriptExcerpt ? (
            <pre className="excerpt" data-testid="approval-excerpt" tabIndex={0} ref={showEnd}>
              {a.transcriptExcerpt}
            </pre>
          ) : (
            <p className="muted" data-testid="approval-excerpt">
              {t('No transcript excerpt.')}
            </p>
          )
        ) : null}
      </div>
      {props.answerable || sending ? (
        <div className="decide">
          <textarea
            data-testid="approval-note"
            className="note"
            rows={1}
            maxLength={2000}
            placeholder={t('Note (optional, sent with your answer)')}
            aria-label={t('Note (optional, sent with your answer)')}
            value={props.note}
            disabled={sending}
            onChange={(event) => props.onNote(a.id, event.target.value)}
          />
          <ActionButton
            testId="approve"
            icon="check"
            disabled={disabled}
            onAct={() => props.onDecide(a.id, 'approve')}
          >
            {t('Approve')}
          </ActionButton>
          <ActionButton
            testId="deny"
            secondary
            icon="circle-slash"
            disabled={disabled}
            onAct={() => props.onDecide(a.id, 'deny')}
          >
            {t('Deny')}
          </ActionButton>
          {sending ? <vscode-progress-ring className="inline-ring" aria-hidden="true" /> : null}
        </div>
      ) : null}
      {outcome && outcome.kind !== 'sending' ? (
        <p
          className={`outcome outcome-${outcome.kind} decision-${outcome.decision}`}
          data-testid="approval-outcome"
          data-outcome={outcome.kind}
          data-decision={outcome.decision}
          role="status"
        >
          <Icon
            name={
              outcome.kind === 'done'
                ? outcome.decision === 'approve'
                  ? 'pass'
                  : 'circle-slash'
                : outcome.kind === 'refused'
                  ? 'info'
                  : 'warning'
            }
          />
          <span>{outcomeText(t, outcome)}</span>
          {outcome.kind !== 'failed' || !props.answerable ? (
            <button
              type="button"
              className="link"
              data-testid="approval-dismiss"
              onClick={() => props.onDismiss(a.id)}
            >
              {t('Dismiss')}
            </button>
          ) : null}
        </p>
      ) : null}
    </article>
  );
});
