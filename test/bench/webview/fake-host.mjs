/* global window -- a classic script of the bench page (loaded without type=module) */
// Stands in for the VS Code host in the webview bench and screenshots. In VS Code the webview's
// acquireVsCodeApi().postMessage goes to the extension host, which answers through webview.postMessage; VS Code
// itself only relays those messages. Here the same envelopes (extension/protocol/envelope.ts) are answered from
// generated data inside the page, delivered as MessageEvents like VS Code delivers them, so the built app runs
// unchanged. window.__benchHost lets the bench push snapshots and make the "host" stop answering.
(() => {
  let parsed;
  const data = () => (parsed ??= JSON.parse(window.document.getElementById('fleet-bench-data').textContent));
  // VS Code keeps a webview's setState across reloads of its page; the tab's sessionStorage does it here.
  const STATE_KEY = 'fleetai-bench-state';
  // `?delay=MS`: the host answers late, as a busy extension host does, so a test sees the restored page first.
  const delayMs = Number(new URLSearchParams(window.location.search).get('delay') ?? 0);
  const host = {
    alive: true,
    requests: [],
    emit(name, payload) {
      window.postMessage({ kind: 'event', name, payload }, '*');
    },
    get dashboard() {
      return (this._dashboard ??= data().dashboard);
    },
    set dashboard(value) {
      this._dashboard = value;
    },
    get approvals() {
      return (this._approvals ??= data().approvals);
    },
    set approvals(value) {
      this._approvals = value;
    },
  };
  window.__benchHost = host;

  function reply(id, value) {
    window.postMessage({ kind: 'response', id, ok: true, value }, '*');
  }

  const handlers = {
    'host.getInfo': () => ({
      name: 'FleetAI',
      version: data().version,
      hostVersion: 'bench (chromium)',
      uiLanguage: data().lang,
      workspace: '/work/demo',
    }),
    'host.ping': () => ({ at: new Date().toISOString() }),
    'dashboard.getSnapshot': () => host.dashboard,
    'approvals.getSnapshot': () => host.approvals,
    'approvals.decide': ({ id, decision }) => {
      if (data().refuse.includes(id)) {
        return {
          ok: false,
          id,
          code: 'E_APPROVAL_ANSWERED',
          message: `Approval ${id} was already answered before you: approved by phone at 10:41.`,
        };
      }
      host.approvals = {
        ...host.approvals,
        pending: host.approvals.pending.filter((a) => a.id !== id),
        updatedAt: new Date().toISOString(),
      };
      setTimeout(() => host.emit('approvals.snapshot', host.approvals), 0);
      return { ok: true, id, decision };
    },
    'pane.action': () => ({ done: true }),
    'host.openLog': () => ({ opened: true }),
    'host.showApprovals': () => ({ opened: true }),
    'host.showDashboard': () => ({ opened: true }),
  };

  window.acquireVsCodeApi = () => ({
    postMessage(message) {
      if (!host.alive || message?.kind !== 'request') return;
      host.requests.push({ method: message.method, params: message.params });
      const handler = handlers[message.method];
      if (!handler) return;
      if (delayMs > 0) setTimeout(() => reply(message.id, handler(message.params)), delayMs);
      else reply(message.id, handler(message.params));
    },
    getState: () => {
      const saved = window.sessionStorage.getItem(STATE_KEY);
      return saved === null ? undefined : JSON.parse(saved);
    },
    setState: (next) => {
      window.sessionStorage.setItem(STATE_KEY, JSON.stringify(next));
    },
  });
})();
