import type { Endpoint } from '../../extension/protocol/endpoint';
import type { Result } from '../../extension/protocol/envelope';
import type { HostInfo } from '../../extension/protocol/messages';
import { HostViewSource, type HostViewSpec, type SourceState } from '../shared/hostViewSource';
import { hostEndpoint } from '../shared/vscodeClient';
import { PlanGraphSnapshot } from './model';

/**
 * PENDING the protocol entries: `plan.getSnapshot`, `plan.snapshot`, `plan.approve` and `plan.openNodeOutput`
 * are not in extension/protocol/messages.ts yet, so the endpoint is called through this loose view of it. Once
 * they are, this cast goes and the calls are checked like the other apps' calls.
 */
interface LooseEndpoint {
  request(method: string, params: unknown, options?: { timeoutMs?: number }): Promise<Result<unknown>>;
  on(name: string, listener: (payload: unknown) => void): { dispose(): void };
}
// (TypeScript accepts this without a cast: methods are compared bivariantly.)
const loose = (endpoint: Endpoint): LooseEndpoint => endpoint;

/** Until the protocol checks what the host sends, the snapshot is checked here. */
function checked(result: Result<unknown>): Result<PlanGraphSnapshot> {
  if (!result.ok) return result;
  const parsed = PlanGraphSnapshot.safeParse(result.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: { code: 'E_PROTOCOL_INVALID', message: parsed.error.message } };
}

export const planSpec: HostViewSpec<PlanGraphSnapshot> = {
  schema: PlanGraphSnapshot,
  fetch: async (endpoint, timeoutMs) =>
    checked(await loose(endpoint).request('plan.getSnapshot', {}, { timeoutMs })),
  listen: (endpoint, listener) =>
    loose(endpoint).on('plan.snapshot', (payload) => {
      const parsed = PlanGraphSnapshot.safeParse(payload);
      if (parsed.success) listener(parsed.data);
    }),
  liveIds: () => ({}),
};

/** Where the plan view's state comes from and its actions go: the host, through the protocol. */
export interface PlanSource {
  getState: () => SourceState<PlanGraphSnapshot>;
  subscribe: (listener: () => void) => () => void;
  retry: () => void;
  approve: (runId: string, nodeId: string) => Promise<Result<unknown>>;
  openNodeOutput: (runId: string, nodeId: string) => Promise<Result<unknown>>;
}
export type PlanSourceFactory = (restored: {
  info?: HostInfo | undefined;
  snapshot?: PlanGraphSnapshot | undefined;
}) => PlanSource;

/** The host's plan graph: the same connection, retry and newer-wins handling as the other apps. */
export const hostPlanSource: PlanSourceFactory = (restored) => {
  const endpoint = hostEndpoint();
  const source = new HostViewSource(planSpec, endpoint, restored).start();
  return {
    getState: source.getState,
    subscribe: source.subscribe,
    retry: source.retry,
    approve: (runId, nodeId) => loose(endpoint).request('plan.approve', { runId, nodeId }),
    openNodeOutput: (runId, nodeId) => loose(endpoint).request('plan.openNodeOutput', { runId, nodeId }),
  };
};
