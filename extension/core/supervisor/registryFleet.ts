import { Emitter, type Disposable } from '../panes/events';
import type { AgentPane, PaneRegistry } from '../panes/paneRegistry';
import type { PaneStateEvent } from '../panes/types';
import type { FleetPaneView, FleetPort } from './ports';

/** The supervisor's view of a PaneRegistry (the VS Code window's, or the headless orchestrator's). */
export function registryFleet(registry: PaneRegistry): FleetPort & Disposable {
  const states = new Emitter<PaneStateEvent>();
  const membership = new Emitter<void>();
  const subscription = registry.onDidChange((change) => {
    if (change.type === 'state') states.fire(change.event);
    else membership.fire();
  });
  const view = (pane: AgentPane): FleetPaneView => ({
    id: pane.id,
    kind: pane.kind,
    ...(pane.branch ? { branch: pane.branch } : {}),
    cwd: pane.cwd,
    state: pane.state,
    exited: pane.exited,
    startedAt: Date.parse(pane.startedAt),
    restarted: pane.restarted,
    // A clean exit (code 0) is the user quitting the agent: not a crash to recover from.
    stoppedByUser: pane.stoppedByUser || (pane.exited && pane.state.exitCode === 0),
  });
  return {
    list: () => registry.list().map(view),
    get: (id) => {
      const pane = registry.get(id);
      return pane ? view(pane) : undefined;
    },
    onStateChange: (listener) => states.event(listener),
    onMembershipChange: (listener) => membership.event(listener),
    send: (id, text, options) => {
      const pane = registry.get(id);
      if (!pane || pane.exited) return Promise.resolve(false);
      return pane.supervised.send(text, { whenReady: options?.whenReady ?? true });
    },
    interrupt: (id) => {
      const pane = registry.get(id);
      const keys = pane?.definition?.interrupt;
      if (!pane || pane.exited || !keys) return false;
      pane.supervised.pane.write(keys);
      return true;
    },
    submit: (id) => {
      const pane = registry.get(id);
      if (!pane || pane.exited) return false;
      pane.supervised.pane.write(pane.definition?.input?.submitKeys ?? '\r');
      return true;
    },
    nudgeText: (id) => registry.get(id)?.definition?.nudge?.text ?? 'continue',
    answerApproval: async (id, decision, message) => {
      const pane = registry.get(id);
      if (!pane || pane.exited) return undefined;
      return pane.supervised.answerApproval(decision, message);
    },
    restart: async (id) => {
      await registry.restart(id);
    },
    ask: async (id, question, timeoutMs) => {
      const pane = registry.get(id);
      if (!pane || pane.exited)
        return { ok: false, error: { code: 'E_PANE_NOT_FOUND', message: `No running agent pane "${id}"` } };
      const { askAgent, chromeFromRules } = await import('../decisions/askAgent');
      const result = await askAgent(pane.supervised, question, {
        timeoutMs,
        chrome: chromeFromRules(pane.supervised.profile.rules),
      });
      return result.ok
        ? { ok: true, answer: result.value.answer, latencyMs: result.value.latencyMs }
        : { ok: false, error: { code: result.error.code, message: result.error.message } };
    },
    screen: (id) => registry.get(id)?.screen() ?? [],
    tail: (id, lines) => registry.get(id)?.supervised.pane.screen.tail(lines) ?? [],
    dispose: () => {
      subscription.dispose();
      states.dispose();
      membership.dispose();
    },
  };
}
