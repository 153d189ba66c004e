import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { pickLanguage, translate, type Translate } from '../shared/i18n';
import { restoreSaved } from '../shared/uiState';
import { savedState, saveState } from '../shared/vscodeClient';
import type { ConnectionStatus } from '../shared/connection';
import { prunePlanUi, restorePlanUi, type PlanGraphSnapshot, type PlanUi } from './model';
import { hostPlanSource, planSpec, type PlanSource, type PlanSourceFactory } from './spec';

export interface StartedPlanView {
  source: PlanSource;
  ui: PlanUi;
}

/**
 * Like startHostView (webview/shared/useHostView.ts), but what the page keeps is the plan view's own choices
 * (the selected node, the viewport) rather than the list views' UiState, which has no place for them.
 */
export function startPlanView(): StartedPlanView {
  const raw = savedState();
  const saved = restoreSaved(raw, planSpec.schema);
  const plan = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).plan : undefined;
  // BENCH SEAM: the plan graph bench (test/bench/plan-graph.mjs, its fake host test/bench/plangraph/fake-host.mjs)
  // hands the app an in-page source here, so it measures the graph rather than a fake protocol host. In VS Code
  // nothing sets it and the app talks to the host through the typed protocol (spec.ts).
  const factory = (window as { fleetPlanSource?: PlanSourceFactory }).fleetPlanSource ?? hostPlanSource;
  return { source: factory(saved), ui: restorePlanUi(plan) };
}

export interface PlanView {
  snapshot: PlanGraphSnapshot | undefined;
  fresh: boolean;
  status: ConnectionStatus;
  connected: boolean;
  ui: PlanUi;
  setUi: (update: (ui: PlanUi) => PlanUi) => void;
  retry: () => void;
  t: Translate;
  language: string;
}

export function usePlanView(started: StartedPlanView): PlanView {
  const { source } = started;
  const state = useSyncExternalStore(source.subscribe, source.getState);
  const [ui, setUi] = useState<PlanUi>(started.ui);

  useEffect(() => {
    if (state.fresh && state.snapshot) {
      const snapshot = state.snapshot;
      setUi((prev) => prunePlanUi(prev, snapshot));
    }
  }, [state.fresh, state.snapshot]);

  const latest = useRef({ ui, info: state.info, snapshot: state.snapshot });
  latest.current = { ui, info: state.info, snapshot: state.snapshot };
  const persist = useCallback(() => {
    const { ui: plan, info, snapshot } = latest.current;
    saveState({ v: 1, ui: {}, info, snapshot, plan });
  }, []);
  useEffect(persist, [persist, ui, state.info, state.snapshot]);

  const language = pickLanguage(state.info?.uiLanguage, navigator.language);
  const t = translate(language);
  return useMemo(
    () => ({
      snapshot: state.snapshot,
      fresh: state.fresh,
      status: state.status,
      connected: state.status.state === 'connected',
      ui,
      setUi,
      retry: source.retry,
      t,
      language,
    }),
    [state, ui, source, t, language],
  );
}
