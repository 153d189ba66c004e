import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { z } from 'zod';
import type { Endpoint } from '../../extension/protocol/endpoint';
import type { Result } from '../../extension/protocol/envelope';
import type {
  HostInfo,
  RequestMethod,
  RequestParams,
  RequestResult,
} from '../../extension/protocol/messages';
import { HostConnection, type ConnectionStatus } from './connection';
import { pickLanguage, translate, type Translate } from './i18n';
import { keepIdentity } from './sharing';
import { isNewer, pruneUi, restoreSaved, type UiState } from './uiState';
import { hostEndpoint, savedState, saveState } from './vscodeClient';

export interface HostViewSpec<S extends { updatedAt: string }> {
  /** Checks a snapshot kept by an earlier page before it is shown. */
  schema: z.ZodType<S>;
  fetch: (endpoint: Endpoint, timeoutMs: number) => Promise<Result<S>>;
  listen: (endpoint: Endpoint, listener: (snapshot: S) => void) => { dispose(): void };
  /** Ids still alive in a fresh snapshot, so choices about vanished ones are forgotten. */
  liveIds: (snapshot: S) => { panes?: ReadonlySet<string>; approvals?: ReadonlySet<string> };
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
  /** A request for an action; a missing answer marks the connection as lost at once (unless `waitsForPerson`). */
  request: <M extends RequestMethod>(
    method: M,
    params: RequestParams<M>,
    options?: RequestOptions,
  ) => Promise<Result<RequestResult<M>>>;
  t: Translate;
  language: string;
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * The host may ask the person something before it answers (a pane action runs the sidebar's command, prompts
   * included), so a late answer says nothing about the connection; the pings watch it meanwhile.
   */
  waitsForPerson?: boolean;
}

interface Data<S> {
  info: HostInfo | undefined;
  snapshot: S | undefined;
  fresh: boolean;
}

/**
 * Everything both apps share about talking to the host: the connection state machine, the snapshot (restored,
 * then fetched, then pushed), the person's UI state kept across reloads, and the language.
 */
export function useHostView<S extends { updatedAt: string }>(spec: HostViewSpec<S>): HostView<S> {
  const [initial] = useState(() => restoreSaved(savedState(), spec.schema));
  const [data, setData] = useState<Data<S>>({ info: initial.info, snapshot: initial.snapshot, fresh: false });
  const [ui, setUi] = useState<UiState>(initial.ui);
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', failures: 0 });
  const connection = useRef<HostConnection<S> | undefined>(undefined);
  const specRef = useRef(spec);

  const accept = useCallback((next: S) => {
    setData((prev) =>
      !prev.fresh || isNewer(prev.snapshot, next)
        ? { ...prev, snapshot: keepIdentity(prev.snapshot, next), fresh: true }
        : prev,
    );
  }, []);

  useEffect(() => {
    const endpoint = hostEndpoint();
    const { fetch, listen } = specRef.current;
    const conn = new HostConnection<S>({
      endpoint,
      attempt: async (timeoutMs) => {
        const [info, snapshot] = await Promise.all([
          endpoint.request('host.getInfo', {}, { timeoutMs }),
          fetch(endpoint, timeoutMs),
        ]);
        performance.mark('fleetai:answered');
        if (info.ok) setData((prev) => ({ ...prev, info: info.value }));
        return info.ok ? snapshot : info;
      },
      onConnected: accept,
    });
    connection.current = conn;
    const unsubscribe = conn.subscribe(setStatus);
    const events = listen(endpoint, (snapshot) => {
      accept(snapshot);
      conn.noteAlive();
    });
    conn.start();
    return () => {
      events.dispose();
      unsubscribe();
      conn.dispose();
    };
  }, [accept]);

  // Choices about panes or approvals that are gone are dropped once the host confirms they are gone.
  useEffect(() => {
    if (data.fresh && data.snapshot) {
      const live = specRef.current.liveIds(data.snapshot);
      setUi((prev) => pruneUi(prev, live));
    }
  }, [data.fresh, data.snapshot]);

  // Kept for the next page of this webview: the choices, the scroll position and the last snapshot.
  const scrollY = useRef(initial.ui.scrollY);
  const latest = useRef({ ui, info: data.info, snapshot: data.snapshot });
  latest.current = { ui, info: data.info, snapshot: data.snapshot };
  const persist = useCallback(() => {
    const { ui: now, info, snapshot } = latest.current;
    saveState({ v: 1, ui: { ...now, scrollY: scrollY.current }, info, snapshot });
  }, []);
  useEffect(persist, [persist, ui, data.info, data.snapshot]);
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
    if (scrolled.current || !data.snapshot) return;
    scrolled.current = true;
    if (initial.ui.scrollY > 0) window.scrollTo(0, initial.ui.scrollY);
  }, [data.snapshot, initial.ui.scrollY]);

  const retry = useCallback(() => connection.current?.retryNow(), []);
  const request = useCallback(
    async <M extends RequestMethod>(
      method: M,
      params: RequestParams<M>,
      options: RequestOptions = {},
    ): Promise<Result<RequestResult<M>>> => {
      const timeoutMs = options.timeoutMs ?? (options.waitsForPerson ? 600_000 : 15_000);
      const result = await hostEndpoint().request(method, params, { timeoutMs });
      if (!options.waitsForPerson) connection.current?.noteResult(result);
      return result;
    },
    [],
  );

  const language = pickLanguage(data.info?.uiLanguage, navigator.language);
  const t = translate(language);
  return useMemo(
    () => ({
      info: data.info,
      snapshot: data.snapshot,
      fresh: data.fresh,
      status,
      connected: status.state === 'connected',
      ui,
      setUi,
      retry,
      request,
      t,
      language,
    }),
    [data, status, ui, retry, request, t, language],
  );
}
