import { ActionButton, useWords } from '../shared/components';
import { riskText } from '../shared/words';
import { stateText, typeLook, type PlanGraphNode } from './model';

/** The selected node's details and its actions. */
export function NodePanel(props: {
  node: PlanGraphNode;
  canApprove: boolean;
  canOpen: boolean;
  problem: string | undefined;
  onApprove: () => void;
  onDeny?: () => void;
  onOpenOutput: () => void;
}): React.JSX.Element {
  const { t } = useWords();
  const { node } = props;
  return (
    <aside className="plan-panel" data-testid="plan-panel" data-node-id={node.id}>
      <h2 className="plan-panel-title">{node.title}</h2>
      <dl>
        <dt>{t('Type')}</dt>
        <dd>{t(typeLook[node.type].label)}</dd>
        <dt>{t('State')}</dt>
        <dd data-testid="plan-panel-state" data-state={node.state}>
          {t(stateText[node.state])}
        </dd>
        <dt>{t('Risk')}</dt>
        <dd>{t(riskText[node.riskLevel])}</dd>
        <dt>{t('Attempts')}</dt>
        <dd>{node.attempts}</dd>
        {node.requiresApproval ? (
          <>
            <dt>{t('Approval')}</dt>
            <dd>{t('requires approval')}</dd>
          </>
        ) : null}
      </dl>
      <div className="plan-panel-actions">
        {node.state === 'waiting_approval' ? (
          <ActionButton
            testId="plan-approve"
            icon="check"
            disabled={!props.canApprove}
            onAct={props.onApprove}
          >
            {t('Approve')}
          </ActionButton>
        ) : null}
        {node.state === 'waiting_approval' && props.onDeny ? (
          <ActionButton
            testId="plan-deny"
            secondary
            icon="close"
            disabled={!props.canApprove}
            onAct={props.onDeny}
          >
            {t('Deny')}
          </ActionButton>
        ) : null}
        <ActionButton
          testId="plan-open-output"
          secondary
          icon="output"
          disabled={!props.canOpen}
          onAct={props.onOpenOutput}
        >
          {t('Open output')}
        </ActionButton>
      </div>
      {props.problem !== undefined ? (
        <p className="connection-error" role="alert">
          {t('Not recorded: {0}', props.problem)}
        </p>
      ) : null}
      <h3>{t('Output')}</h3>
      {node.outputExcerpt ? (
        <pre className="plan-output" data-testid="plan-output">
          {node.outputExcerpt}
        </pre>
      ) : (
        <p className="muted">{t('No output yet.')}</p>
      )}
    </aside>
  );
}
