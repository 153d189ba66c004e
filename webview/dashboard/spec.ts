import { DashboardSnapshot } from '../../extension/protocol/messages';
import type { HostViewSpec } from '../shared/hostViewSource';

/** What the dashboard asks the host for and listens to. */
export const dashboardSpec: HostViewSpec<DashboardSnapshot> = {
  schema: DashboardSnapshot,
  fetch: (endpoint, timeoutMs) => endpoint.request('dashboard.getSnapshot', {}, { timeoutMs }),
  listen: (endpoint, listener) => endpoint.on('dashboard.snapshot', listener),
  liveIds: (snapshot) => ({ panes: new Set(snapshot.panes.map((p) => p.id)) }),
};
