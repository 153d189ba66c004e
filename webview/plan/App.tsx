import {
  Background,
  Controls,
  ReactFlow,
  useStore,
  type Edge,
  type NodeMouseHandler,
  type Viewport,
} from '@xyflow/react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ConnectionBar, WordsContext } from '../shared/components';
import {
  READABLE_ZOOM,
  firstViewport,
  layoutPlan,
  miniMapPaths,
  planBounds,
  nodeHandles,
  nodeSize,
  shapeKey,
  type FlowViewport,
} from './layout';
import { canApprove, drawableEdges, edgeClass, focusNodes, type PlanGraphSnapshot } from './model';
import { PlanNodeView, type PlanFlowNode } from './PlanNodeView';
import { NodePanel } from './NodePanel';
import { PlanMiniMap } from './PlanMiniMap';
import { usePlanView, type StartedPlanView } from './usePlanView';

const nodeTypes = { plan: PlanNodeView };
/**
 * Past this many nodes only the ones in view are rendered: nodes come with their size and handles, so this costs
 * no measuring, and even a 100-node plan paints its first view sooner (fewer elements to style and lay out).
 */
const VISIBLE_ONLY_ABOVE = 50;
/** The Controls' fit button shows the whole plan (the minimap too). */
const FIT_ALL = { padding: 0.05 };

/**
 * Tells the app when the graph is on screen: React Flow has the canvas size and its pan and zoom in place (at the
 * first viewport), so the nodes in view (and their edges) are committed with this same store update; nodes come
 * with their size and handles, so there is no measuring pass to wait for. A viewport with no node in it (a
 * restored one, panned away) is drawn too.
 */
function DrawnProbe({ onReady }: { onReady: () => void }): null {
  const placed = useStore((s) => s.width > 0 && s.height > 0 && s.panZoom !== null);
  useEffect(() => {
    if (placed) onReady();
  }, [placed, onReady]);
  return null;
}

/** Small text is unreadable when zoomed out: then/else labels are hidden there (plan.css). */
function ZoomClass({ canvas }: { canvas: React.RefObject<HTMLDivElement | null> }): null {
  const far = useStore((s) => s.transform[2] < READABLE_ZOOM);
  useEffect(() => {
    canvas.current?.classList.toggle('zoomed-out', far);
  }, [canvas, far]);
  return null;
}

/** The canvas's size, read before React Flow is first rendered: the first viewport is computed from it. */
function useCanvasSize(): [
  React.RefObject<HTMLDivElement | null>,
  { width: number; height: number } | undefined,
] {
  const ref = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ width: number; height: number }>();
  // No dependencies: the canvas appears with the first snapshot, so every render looks until it is measured.
  useLayoutEffect(() => {
    const canvas = ref.current;
    if (size || !canvas) return;
    const read = (): boolean => {
      const { width, height } = canvas.getBoundingClientRect();
      if (width > 0 && height > 0) setSize({ width, height });
      return width > 0 && height > 0;
    };
    if (read()) return;
    // A panel opened in the background has no size yet: the graph is drawn once it gets one.
    const observer = new ResizeObserver(() => {
      if (read()) observer.disconnect();
    });
    observer.observe(canvas);
    return () => observer.disconnect();
  });
  return [ref, size];
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

  // One object per node, kept while the snapshot is: a selection change replaces only the two nodes it touches,
  // so React Flow compares the rest by identity.
  const plain = useMemo<PlanFlowNode[]>(
    () =>
      (snapshot?.nodes ?? []).map((node) => ({
        id: node.id,
        type: 'plan',
        position: positions.get(node.id) ?? { x: 0, y: 0 },
        // Nodes have a fixed size (plan.css) and handles where React Flow would find them, so it never needs a
        // measurement round (which mounts every node, even out of view) before placing nodes and drawing edges.
        measured: nodeSize(node),
        handles: nodeHandles(node),
        data: { node },
        draggable: false,
        connectable: false,
      })),
    [snapshot, positions],
  );
  const nodes = useMemo(
    () => plain.map((n) => (n.id === ui.selected ? { ...n, selected: true } : n)),
    [plain, ui.selected],
  );
  const miniMap = useMemo(
    () =>
      snapshot
        ? { paths: miniMapPaths(snapshot.nodes, positions), bounds: planBounds(snapshot.nodes, positions) }
        : undefined,
    [snapshot, positions],
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

  // The first view shows where the run is, readable, rather than a whole tall plan too small to read; computed
  // once, when the first snapshot and the canvas size are known (a reload restores the saved viewport instead).
  const [canvasRef, canvas] = useCanvasSize();
  const first = useRef<FlowViewport | undefined>(ui.viewport);
  if (!first.current && snapshot && canvas) {
    first.current = firstViewport(snapshot.nodes, positions, canvas, focusNodes(snapshot, positions));
  }
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
  const act = (what: 'approve' | 'deny' | 'openNodeOutput'): void => {
    const run = started.source[what];
    if (!snapshot || !selected || !run) return;
    setSending(true);
    setProblem(undefined);
    void run(snapshot.runId, selected.id).then((result) => {
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
            <div className="plan-canvas" aria-label={t('Plan graph')} ref={canvasRef}>
              {canvas && first.current ? (
                <ReactFlow
                  nodes={nodes}
                  edges={edges}
                  nodeTypes={nodeTypes}
                  nodesDraggable={false}
                  nodesConnectable={false}
                  elementsSelectable
                  onlyRenderVisibleElements={big}
                  minZoom={0.05}
                  defaultViewport={first.current}
                  fitViewOptions={FIT_ALL}
                  onNodeClick={onNodeClick}
                  onPaneClick={onPaneClick}
                  onMoveEnd={onMoveEnd}
                  proOptions={{ hideAttribution: true }}
                >
                  <Background gap={24} size={1} />
                  {miniMap?.bounds ? (
                    <PlanMiniMap paths={miniMap.paths} bounds={miniMap.bounds} label={t('Plan overview')} />
                  ) : null}
                  <Controls showInteractive={false} />
                  <DrawnProbe onReady={onReady} />
                  <ZoomClass canvas={canvasRef} />
                </ReactFlow>
              ) : null}
            </div>
            {selected ? (
              <NodePanel
                node={selected}
                canApprove={canApprove(selected, connected) && !sending}
                canOpen={connected && !sending}
                problem={problem}
                onApprove={() => act('approve')}
                {...(started.source.deny ? { onDeny: () => act('deny') } : {})}
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
