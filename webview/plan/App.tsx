import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useStore,
  type Edge,
  type NodeMouseHandler,
  type Viewport,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ConnectionBar, WordsContext } from '../shared/components';
import { layoutPlan, nodeSize, shapeKey } from './layout';
import { canApprove, drawableEdges, edgeClass, focusNodes, type PlanGraphSnapshot } from './model';
import { PlanNodeView, type PlanFlowNode } from './PlanNodeView';
import { NodePanel } from './NodePanel';
import { usePlanView, type StartedPlanView } from './usePlanView';

const nodeTypes = { plan: PlanNodeView };
const miniMapClass = (node: PlanFlowNode): string => `minimap-${node.data.node.state}`;
/** Past this many nodes only the ones in view are rendered (a 1,000-node plan otherwise costs seconds). */
const VISIBLE_ONLY_ABOVE = 300;

/**
 * Tells the app when the graph is on screen: React Flow has measured the rendered nodes' handles (one
 * ResizeObserver pass measures all of them), which it needs before it draws the edges.
 */
function DrawnProbe({ onReady }: { onReady: () => void }): null {
  const measured = useStore((s) => {
    for (const node of s.nodeLookup.values()) if (node.internals.handleBounds) return true;
    return false;
  });
  useEffect(() => {
    if (measured) onReady();
  }, [measured, onReady]);
  return null;
}

function useLayout(snapshot: PlanGraphSnapshot | undefined): Map<string, { x: number; y: number }> {
  const key = snapshot ? shapeKey(snapshot) : '';
  // Only the shape decides the layout: a snapshot where only states changed keeps the positions (the snapshot
  // is read through a ref so that it is not a dependency).
  const latest = useRef(snapshot);
  latest.current = snapshot;
  return useMemo(() => {
    const now = latest.current;
    return now ? layoutPlan(now) : new Map<string, { x: number; y: number }>();
  }, [key]);
}

export function App({ started }: { started: StartedPlanView }): React.JSX.Element {
  const view = usePlanView(started);
  const { t, language, snapshot, connected, ui, setUi } = view;
  const words = useMemo(() => ({ t, language }), [t, language]);
  const positions = useLayout(snapshot);
  const [ready, setReady] = useState(false);
  const onReady = useCallback(() => setReady(true), []);

  const nodes = useMemo<PlanFlowNode[]>(
    () =>
      (snapshot?.nodes ?? []).map((node) => ({
        id: node.id,
        type: 'plan',
        position: positions.get(node.id) ?? { x: 0, y: 0 },
        // Nodes have a fixed size (plan.css), so React Flow need not wait for a measurement round to place them.
        measured: nodeSize(node),
        data: { node },
        selected: node.id === ui.selected,
        draggable: false,
        connectable: false,
      })),
    [snapshot, positions, ui.selected],
  );
  const edges = useMemo<Edge[]>(
    () =>
      snapshot
        ? drawableEdges(snapshot).map((e) => ({
            id: `${e.from}>${e.to}:${e.kind}`,
            source: e.from,
            target: e.to,
            className: edgeClass(e.kind),
            ...(e.kind === 'then' || e.kind === 'else' ? { label: t(e.kind) } : {}),
            focusable: false,
            selectable: false,
          }))
        : [],
    [snapshot, t],
  );

  // The first view shows where the run is, readable, rather than a whole tall plan too small to read.
  const focus = useMemo(() => (snapshot ? focusNodes(snapshot, positions) : []), [snapshot, positions]);
  const fitOptions = useMemo(
    () => ({ padding: 0.1, maxZoom: 1, ...(focus.length ? { nodes: focus.map((id) => ({ id })) } : {}) }),
    [focus],
  );
  const selected = snapshot?.nodes.find((n) => n.id === ui.selected);
  const onNodeClick = useCallback<NodeMouseHandler<PlanFlowNode>>(
    (_event, node) => setUi((u) => ({ ...u, selected: node.id })),
    [setUi],
  );
  const onPaneClick = useCallback(
    () =>
      setUi((u) => {
        const { selected: _none, ...rest } = u;
        return rest;
      }),
    [setUi],
  );
  const onMoveEnd = useCallback(
    (_event: unknown, viewport: Viewport) => setUi((u) => ({ ...u, viewport })),
    [setUi],
  );
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const act = (what: 'approve' | 'openNodeOutput'): void => {
    if (!snapshot || !selected) return;
    setSending(true);
    setProblem(undefined);
    void started.source[what](snapshot.runId, selected.id).then((result) => {
      setSending(false);
      if (!result.ok) setProblem(result.error.message);
    });
  };

  const stale = snapshot !== undefined && (!view.fresh || !connected);
  const big = (snapshot?.nodes.length ?? 0) > VISIBLE_ONLY_ABOVE;
  return (
    <WordsContext.Provider value={words}>
      <main
        data-testid="plan"
        data-rendered={view.fresh && ready ? 'true' : undefined}
        className={stale ? 'plan-app stale' : 'plan-app'}
      >
        <header className="top">
          <h1 data-testid="plan-title">
            {t('FleetAI Plan')}
            {snapshot ? <span className="muted"> · {snapshot.planTitle}</span> : null}
          </h1>
          {snapshot ? (
            <span className="muted" data-testid="plan-size">
              {t('{0} nodes', snapshot.nodes.length)}
            </span>
          ) : null}
        </header>
        <ConnectionBar
          status={view.status}
          onRetry={view.retry}
          {...(stale ? { staleSince: snapshot.updatedAt } : {})}
        />
        {snapshot ? (
          <div className="plan-body">
            <div className="plan-canvas" aria-label={t('Plan graph')}>
              <ReactFlow
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                nodesDraggable={false}
                nodesConnectable={false}
                elementsSelectable
                onlyRenderVisibleElements={big}
                minZoom={0.05}
                {...(ui.viewport ? { defaultViewport: ui.viewport } : { fitView: true })}
                fitViewOptions={fitOptions}
                onNodeClick={onNodeClick}
                onPaneClick={onPaneClick}
                onMoveEnd={onMoveEnd}
                proOptions={{ hideAttribution: true }}
              >
                <Background gap={24} size={1} />
                <MiniMap pannable zoomable className="plan-minimap" nodeClassName={miniMapClass} />
                <Controls showInteractive={false} />
                <DrawnProbe onReady={onReady} />
              </ReactFlow>
            </div>
            {selected ? (
              <NodePanel
                node={selected}
                canApprove={canApprove(selected, connected) && !sending}
                canOpen={connected && !sending}
                problem={problem}
                onApprove={() => act('approve')}
                onOpenOutput={() => act('openNodeOutput')}
              />
            ) : (
              <aside className="plan-panel muted">{t('Select a node to see its details.')}</aside>
            )}
          </div>
        ) : (
          <p className="muted">{t('Waiting for FleetAI…')}</p>
        )}
      </main>
    </WordsContext.Provider>
  );
}
