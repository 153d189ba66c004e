import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type { HostInfo } from '../../extension/protocol/messages';
import type { ConnectionStatus } from './connection';
import { HostViewSource, type HostViewSpec } from './hostViewSource';
import { pickLanguage, translate, type Translate } from './i18n';
import { pruneUi, restoreSaved, type SavedView, type UiState } from './uiState';
import { hostEndpoint, savedState, saveState } from './vscodeClient';

export interface StartedView<S extends { updatedAt: string }> {
  spec: HostViewSpec<S>;
  source: HostViewSource<S>;
  saved: SavedView<S>;
}

/**
 * Reads what the previous page of this webview kept and starts talking to the host, before React renders
 * anything (main.tsx calls it first thing).
 */
export function startHostView<S extends { updatedAt: string }>(spec: HostViewSpec<S>): StartedView<S> {
  const saved = restoreSaved(savedState(), spec.schema);
  const source = new HostViewSource(spec, hostEndpoint(), saved).start();
  return { spec, source, saved };
}

export interface HostView<S> {
  info: HostInfo | undefined;
  snapshot: S | undefined;
  /** True once a snapshot came from the host in this page (not the one restored from the last page). */
  fresh: boolean;
  status: ConnectionStatus;
  connected: boolean;
  ui: UiState;
  setUi: (update: (ui: UiState) => UiState) => void;
  retry: () => void;
  request: HostViewSource<S & { updatedAt: string }>['request'];
  t: Translate;
  language: string;
}

/**
 * Everything both apps share about their page: the host's state (HostViewSource), the person's UI state kept
 * across reloads with the scroll position and the last snapshot, and the language.
 */
export function useHostView<S extends { updatedAt: string }>(started: StartedView<S>): HostView<S> {
  const { source, saved, spec } = started;
  const state = useSyncExternalStore(source.subscribe, source.getState);
  const [ui, setUi] = useState<UiState>(saved.ui);

  // Choices about panes or approvals that are gone are dropped once the host confirms they are gone.
  useEffect(() => {
    if (state.fresh && state.snapshot) {
      const live = spec.liveIds(state.snapshot);
      setUi((prev) => pruneUi(prev, live));
    }
  }, [spec, state.fresh, state.snapshot]);

  // Kept for the next page of this webview: the choices, the scroll position and the last snapshot.
  const scrollY = useRef(saved.ui.scrollY);
  const latest = useRef({ ui, info: state.info, snapshot: state.snapshot });
  latest.current = { ui, info: state.info, snapshot: state.snapshot };
  const persist = useCallback(() => {
    const { ui: now, info, snapshot } = latest.current;
    saveState({ v: 1, ui: { ...now, scrollY: scrollY.current }, info, snapshot });
  }, []);
  useEffect(persist, [persist, ui, state.info, state.snapshot]);
  useEffect(() => {
    const onScroll = (): void => {
      scrollY.current = Math.max(0, window.scrollY);
      persist();
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [persist]);

  // The saved scroll position is applied once, as soon as there is content (restored or fresh) to scroll.
  const scrolled = useRef(false);
  useLayoutEffect(() => {
    if (scrolled.current || !state.snapshot) return;
    scrolled.current = true;
    if (saved.ui.scrollY > 0) window.scrollTo(0, saved.ui.scrollY);
  }, [state.snapshot, saved.ui.scrollY]);

  const language = pickLanguage(state.info?.uiLanguage, navigator.language);
  const t = translate(language);
  return useMemo(
    () => ({
      info: state.info,
      snapshot: state.snapshot,
      fresh: state.fresh,
      status: state.status,
      connected: state.status.state === 'connected',
      ui,
      setUi,
      retry: source.retry,
      request: source.request,
      t,
      language,
    }),
    [state, ui, source, t, language],
  );
}
