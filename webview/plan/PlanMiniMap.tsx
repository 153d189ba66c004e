import { Panel, useReactFlow, useStore } from '@xyflow/react';
import { useRef } from 'react';
import type { Box } from './layout';
import type { PlanGraphNode } from './model';

const MAP_WIDTH = 200;
const MAP_HEIGHT = 150;
/** Room around the drawing, in map pixels. */
const MARGIN = 5;

/**
 * The whole plan in small, with the part in view outlined; pressing or dragging on it centres the view there.
 * Drawn as one path per state (layout.ts miniMapPaths) instead of React Flow's MiniMap, whose per-node elements
 * and store subscriptions cost a 1,000-node plan a third of its first render. The classes are React Flow's, so
 * its theme variables (plan.css) apply.
 */
export function PlanMiniMap(props: {
  paths: { state: PlanGraphNode['state']; d: string }[];
  bounds: Box;
  label: string;
}): React.JSX.Element {
  const transform = useStore((s) => s.transform);
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const flow = useReactFlow();
  const svg = useRef<SVGSVGElement>(null);
  const [tx, ty, zoom] = transform;
  const view = { x: -tx / zoom, y: -ty / zoom, width: width / zoom, height: height / zoom };
  const { bounds } = props;
  const x0 = Math.min(bounds.x, view.x);
  const y0 = Math.min(bounds.y, view.y);
  const x1 = Math.max(bounds.x + bounds.width, view.x + view.width);
  const y1 = Math.max(bounds.y + bounds.height, view.y + view.height);
  const scale = Math.max((x1 - x0) / (MAP_WIDTH - 2 * MARGIN), (y1 - y0) / (MAP_HEIGHT - 2 * MARGIN), 1e-6);
  // The drawing centred in the map, in flow coordinates.
  const boxWidth = MAP_WIDTH * scale;
  const boxHeight = MAP_HEIGHT * scale;
  const left = (x0 + x1) / 2 - boxWidth / 2;
  const top = (y0 + y1) / 2 - boxHeight / 2;

  const viewPath = `M${view.x} ${view.y}h${view.width}v${view.height}h${-view.width}z`;

  const centreAt = (event: React.PointerEvent<SVGSVGElement>): void => {
    const rect = svg.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    const fx = left + ((event.clientX - rect.left) / rect.width) * boxWidth;
    const fy = top + ((event.clientY - rect.top) / rect.height) * boxHeight;
    void flow.setCenter(fx, fy, { zoom });
  };
  return (
    <Panel position="bottom-right" className="react-flow__minimap plan-minimap">
      <svg
        ref={svg}
        className="react-flow__minimap-svg"
        width={MAP_WIDTH}
        height={MAP_HEIGHT}
        viewBox={`${left} ${top} ${boxWidth} ${boxHeight}`}
        role="img"
        aria-label={props.label}
        data-testid="plan-minimap"
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          centreAt(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) centreAt(event);
        }}
      >
        {props.paths.map((p) => (
          <path key={p.state} className={`react-flow__minimap-node minimap-${p.state}`} d={p.d} />
        ))}
        <path
          className="react-flow__minimap-mask"
          fillRule="evenodd"
          d={`M${left} ${top}h${boxWidth}v${boxHeight}h${-boxWidth}z ${viewPath}`}
        />
        <path className="plan-minimap-view" d={viewPath} />
      </svg>
    </Panel>
  );
}
