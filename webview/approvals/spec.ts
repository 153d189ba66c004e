import { ApprovalsSnapshot } from '../../extension/protocol/messages';
import type { HostViewSpec } from '../shared/hostViewSource';

/** What the approvals view asks the host for and listens to. */
export const approvalsSpec: HostViewSpec<ApprovalsSnapshot> = {
  schema: ApprovalsSnapshot,
  fetch: (endpoint, timeoutMs) => endpoint.request('approvals.getSnapshot', {}, { timeoutMs }),
  listen: (endpoint, listener) => endpoint.on('approvals.snapshot', listener),
  liveIds: (snapshot) => ({ approvals: new Set(snapshot.pending.map((a) => a.id)) }),
};
