import type { Result } from '../../extension/protocol/envelope';
import type { HostInfo } from '../../extension/protocol/messages';
import { HostViewSource, type HostViewSpec, type SourceState } from '../shared/hostViewSource';
import { hostEndpoint } from '../shared/vscodeClient';
import { PlanGraphSnapshot } from './model';

/**
 * The protocol checks what the host sends against its own schema (extension/protocol/messages.ts); the app's
 * model reads it once more, keeping only the fields the graph draws.
 */
function asModel(result: Result<unknown>): Result<PlanGraphSnapshot> {
  if (!result.ok) return result;
  const parsed = PlanGraphSnapshot.safeParse(result.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: { code: 'E_PROTOCOL_INVALID', message: parsed.error.message } };
}

export const planSpec: HostViewSpec<PlanGraphSnapshot> = {
  schema: PlanGraphSnapshot,
  // No runId: the host answers with the run its panel shows (the one chosen in the palette, else the newest).
  fetch: async (endpoint, timeoutMs) =>
    asModel(await endpoint.request('plan.getSnapshot', {}, { timeoutMs })),
  listen: (endpoint, listener) =>
    endpoint.on('plan.snapshot', (payload) => {
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
  /** Optional: a source without it (the bench's fake host) offers Approve only. */
  deny?: (runId: string, nodeId: string) => Promise<Result<unknown>>;
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
  const decide = async (
    runId: string,
    nodeId: string,
    decision: 'approve' | 'deny',
  ): Promise<Result<unknown>> => {
    const result = await endpoint.request('plan.approve', { runId, nodeId, decision });
    // A refusal (answered elsewhere first, expired) is an answer, not a lost message: the panel shows its words.
    if (result.ok && !result.value.ok)
      return { ok: false, error: { code: result.value.code, message: result.value.message } };
    return result;
  };
  return {
    getState: source.getState,
    subscribe: source.subscribe,
    retry: source.retry,
    approve: (runId, nodeId) => decide(runId, nodeId, 'approve'),
    deny: (runId, nodeId) => decide(runId, nodeId, 'deny'),
    openNodeOutput: (runId, nodeId) => endpoint.request('plan.openNodeOutput', { runId, nodeId }),
  };
};
