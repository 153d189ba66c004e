import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { Icon, useWords } from '../shared/components';
import { stateText, typeLook, type PlanGraphNode } from './model';

export type PlanFlowNode = Node<{ node: PlanGraphNode }, 'plan'>;

/**
 * One plan node: kept simple (a few elements, no hooks but the words) since a 1,000-node plan renders all of
 * them; colours come from the CSS by `data-state`, so a state change touches one attribute.
 */
export const PlanNodeView = memo(function PlanNodeView({ data, selected }: NodeProps<PlanFlowNode>) {
  const { t } = useWords();
  const { node } = data;
  const look = typeLook[node.type];
  if (node.type === 'join') {
    return (
      <div
        className="plan-join"
        data-testid="plan-node"
        data-node-id={node.id}
        data-state={node.state}
        title={t(look.label)}
      >
        <Handle type="target" position={Position.Top} isConnectable={false} />
        <Handle type="source" position={Position.Bottom} isConnectable={false} />
      </div>
    );
  }
  return (
    <div
      className={selected ? 'plan-node selected' : 'plan-node'}
      data-testid="plan-node"
      data-node-id={node.id}
      data-state={node.state}
      data-risk={node.riskLevel}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="plan-node-head">
        <Icon name={look.icon} />
        <span className="plan-node-type">{t(look.label)}</span>
        {node.requiresApproval ? <Icon name="shield" /> : null}
      </div>
      <div className="plan-node-title" title={node.title}>
        {node.title}
      </div>
      <div className="plan-node-state">{t(stateText[node.state])}</div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
});
