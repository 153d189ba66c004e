import type { z } from 'zod';
import type { Endpoint } from '../../extension/protocol/endpoint';
import type { Result } from '../../extension/protocol/envelope';
import type {
  HostInfo,
  RequestMethod,
  RequestParams,
  RequestResult,
} from '../../extension/protocol/messages';
import { HostConnection, type ConnectionOptions, type ConnectionStatus } from './connection';
import { keepIdentity } from './sharing';
import { isNewer } from './uiState';

export interface HostViewSpec<S extends { updatedAt: string }> {
  /** Checks a snapshot kept by an earlier page before it is shown. */
  schema: z.ZodType<S>;
  fetch: (endpoint: Endpoint, timeoutMs: number) => Promise<Result<S>>;
  listen: (endpoint: Endpoint, listener: (snapshot: S) => void) => { dispose(): void };
  /** Ids still alive in a fresh snapshot, so choices about vanished ones are forgotten. */
  liveIds: (snapshot: S) => { panes?: ReadonlySet<string>; approvals?: ReadonlySet<string> };
}

export interface SourceState<S> {
  info: HostInfo | undefined;
  snapshot: S | undefined;
  /** True once a snapshot came from the host in this page (not the one restored from the last page). */
  fresh: boolean;
  status: ConnectionStatus;
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * The host may ask the person something before it answers (a pane action runs the sidebar's command, prompts
   * included), so a late answer says nothing about the connection; the pings watch it meanwhile.
   */
  waitsForPerson?: boolean;
}

/**
 * What a view knows from the host, outside React: the connection, host info and the newest snapshot (restored,
 * then fetched, then pushed). It starts before React's first render, so the first request does not wait for
 * the page's first paint; the React side reads it through `useSyncExternalStore`.
 */
export class HostViewSource<S extends { updatedAt: string }> {
  private state: SourceState<S>;
  private readonly listeners = new Set<() => void>();
  private readonly connection: HostConnection<S>;
  private events: { dispose(): void } | undefined;

  constructor(
    private readonly spec: HostViewSpec<S>,
    private readonly endpoint: Endpoint,
    restored: { info?: HostInfo | undefined; snapshot?: S | undefined },
    connectionOptions: Partial<Omit<ConnectionOptions<S>, 'endpoint' | 'attempt' | 'onConnected'>> = {},
  ) {
    this.state = {
      info: restored.info,
      snapshot: restored.snapshot,
      fresh: false,
      status: { state: 'connecting', failures: 0 },
    };
    this.connection = new HostConnection<S>({
      ...connectionOptions,
      endpoint,
      attempt: (timeoutMs) => this.attempt(timeoutMs),
      onConnected: (snapshot) => this.accept(snapshot),
    });
    this.connection.subscribe((status) => this.set({ ...this.state, status }));
  }

  start(): this {
    this.events ??= this.spec.listen(this.endpoint, (snapshot) => {
      this.accept(snapshot);
      this.connection.noteAlive();
    });
    this.connection.start();
    return this;
  }

  /** For `useSyncExternalStore`: a new object on each change, the same one otherwise. */
  readonly getState = (): SourceState<S> => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly retry = (): void => this.connection.retryNow();

  /** A request for an action; a missing answer marks the connection as lost at once (unless `waitsForPerson`). */
  readonly request = async <M extends RequestMethod>(
    method: M,
    params: RequestParams<M>,
    options: RequestOptions = {},
  ): Promise<Result<RequestResult<M>>> => {
    const timeoutMs = options.timeoutMs ?? (options.waitsForPerson ? 600_000 : 15_000);
    const result = await this.endpoint.request(method, params, { timeoutMs });
    if (!options.waitsForPerson) this.connection.noteResult(result);
    return result;
  };

  dispose(): void {
    this.events?.dispose();
    this.connection.dispose();
    this.listeners.clear();
  }

  private async attempt(timeoutMs: number): Promise<Result<S>> {
    const [info, snapshot] = await Promise.all([
      this.endpoint.request('host.getInfo', {}, { timeoutMs }),
      this.spec.fetch(this.endpoint, timeoutMs),
    ]);
    // For the bench (test/bench/webview-render.mjs): when the host's first answers are in.
    performance.mark('fleetai:answered');
    if (info.ok) this.set({ ...this.state, info: info.value });
    return info.ok ? snapshot : info;
  }

  /**
   * Newer wins (a `getSnapshot` answer can arrive after a later event), and unchanged parts keep their
   * identity, including against the restored snapshot, so memoised rows are not rendered again.
   */
  private accept(next: S): void {
    const prev = this.state;
    if (prev.fresh && !isNewer(prev.snapshot, next)) return;
    this.set({ ...prev, snapshot: keepIdentity(prev.snapshot, next), fresh: true });
  }

  private set(state: SourceState<S>): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }
}
