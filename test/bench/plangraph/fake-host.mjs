/* global window -- a classic script of the bench page (loaded without type=module) */
// Stands in for the VS Code host in the plan graph bench. The other apps' bench (test/bench/webview/fake-host.mjs)
// answers protocol envelopes; the plan app cannot use them yet, because the protocol Endpoint refuses `plan.*`
// until extension/protocol/messages.ts lists those messages. So this script hands the app a plan source through
// its documented seam (window.fleetPlanSource, webview/plan/usePlanView.ts) that behaves as the host source will:
// connecting, then the snapshot; events where the newest wins; approve and open-output requests answered a
// message-loop turn later. window.__benchHost lets the bench push snapshots, stop the host, and see the requests.
(() => {
  let parsed;
  const data = () => (parsed ??= JSON.parse(window.document.getElementById('fleet-bench-data').textContent));
  const STATE_KEY = 'fleetai-plan-bench-state';
  const host = {
    alive: true,
    requests: [],
    emit(name, payload) {
      window.postMessage({ kind: 'event', name, payload }, '*');
    },
    get plan() {
      return (this._plan ??= data().plan);
    },
    set plan(value) {
      this._plan = value;
    },
  };
  window.__benchHost = host;

  // The protocol Endpoint refuses `plan.*` until extension/protocol/messages.ts lists them, so the app's source
  // seam (webview/plan/usePlanView.ts) takes this in-page source instead: what the host source does (connect,
  // newest snapshot wins, events, approve and open-output requests), answered a message-loop turn later as
  // postMessage answers would be.
  const info = () => ({
    name: 'FleetAI',
    version: data().version,
    hostVersion: 'bench (chromium)',
    uiLanguage: data().lang,
    workspace: '/work/demo',
  });
  const later = (fn) =>
    new Promise((resolve) => {
      const channel = new window.MessageChannel();
      channel.port1.onmessage = () => resolve(fn());
      channel.port2.postMessage(0);
    });
  window.fleetPlanSource = (restored) => {
    let state = {
      info: restored.info,
      snapshot: restored.snapshot,
      fresh: false,
      status: { state: 'connecting', failures: 0 },
    };
    const listeners = new Set();
    const set = (next) => {
      state = next;
      for (const l of [...listeners]) l();
    };
    const accept = (snapshot) => {
      if (state.fresh && Date.parse(snapshot.updatedAt) < Date.parse(state.snapshot.updatedAt)) return;
      set({ ...state, snapshot, fresh: true, status: { state: 'connected', failures: 0 } });
    };
    const connect = () =>
      later(() => {
        if (!host.alive) {
          const failures = state.status.failures + 1;
          const lastError = { code: 'E_PROTOCOL_TIMEOUT', message: 'plan.getSnapshot got no answer.' };
          return set({ ...state, status: { state: 'disconnected', failures, lastError } });
        }
        host.requests.push({ method: 'plan.getSnapshot', params: {} });
        window.performance.mark('fleetai:answered');
        state = { ...state, info: info() };
        accept(host.plan);
      });
    host.push = (snapshot) => {
      host.plan = snapshot;
      if (host.alive) later(() => accept(snapshot));
    };
    void connect();
    const request = (method, params) =>
      later(() => {
        if (!host.alive)
          return { ok: false, error: { code: 'E_PROTOCOL_TIMEOUT', message: `${method}: no answer` } };
        host.requests.push({ method, params });
        const value = handlers[method](params);
        return value && value.error
          ? { ok: false, error: { code: value.error[0], message: value.error[1] } }
          : { ok: true, value };
      });
    return {
      getState: () => state,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      retry: () => void connect(),
      approve: (runId, nodeId) => request('plan.approve', { runId, nodeId }),
      openNodeOutput: (runId, nodeId) => request('plan.openNodeOutput', { runId, nodeId }),
    };
  };

  const handlers = {
    'plan.approve': ({ runId, nodeId }) => {
      const node = host.plan.nodes.find((n) => n.id === nodeId);
      if (runId !== host.plan.runId || node?.state !== 'waiting_approval')
        return { error: ['E_PLAN_NOT_WAITING', `Node ${nodeId} is not waiting for approval.`] };
      const plan = {
        ...host.plan,
        nodes: host.plan.nodes.map((n) => (n.id === nodeId ? { ...n, state: 'running', attempts: 1 } : n)),
        updatedAt: new Date(Date.parse(host.plan.updatedAt) + 1000).toISOString(),
      };
      setTimeout(() => host.push(plan), 0);
      return { approved: true };
    },
    'plan.openNodeOutput': () => ({ opened: true }),
  };

  // Only the page state is kept through VS Code's API here; the bench's plan source above does the rest.
  window.acquireVsCodeApi = () => ({
    postMessage() {},
    getState: () => {
      const saved = window.sessionStorage.getItem(STATE_KEY);
      return saved === null ? undefined : JSON.parse(saved);
    },
    setState: (next) => window.sessionStorage.setItem(STATE_KEY, JSON.stringify(next)),
  });
})();
