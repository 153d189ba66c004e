import { DEFAULT_CHROME, extractAnswer } from '../../decisions/askAgent';
import type { Disposable } from '../../panes/events';
import type { ApprovalDecision, PaneState, PaneStateEvent } from '../../panes/types';

/**
 * What a plan node needs of an agent pane: its state, typing into it, answering its approvals and reading its
 * screen. Small on purpose, so the CLI's PaneRegistry, the VS Code host's panes and the unit tests' fake driver
 * all fit it.
 */
export interface TurnPane {
  readonly id: string;
  readonly kind: string;
  /** The folder the agent works in (its worktree when it has a branch). */
  readonly cwd: string;
  readonly state: PaneState;
  onState(listener: (event: PaneStateEvent) => void): Disposable;
  /** Types the text and submits it once the agent listens; false when it did not go in. */
  send(text: string): Promise<boolean>;
  /** Carries a decision to the agent's pending approval (keys or its protocol). */
  answerApproval(decision: ApprovalDecision, message?: string): Promise<unknown>;
  /** The last `lines` lines of scrollback and screen, once everything the agent wrote so far is parsed. */
  tail(lines: number): Promise<string[]>;
}

export type TurnResult = { ok: true; text: string } | { ok: false; error: string; text?: string };

export interface TurnOptions {
  signal: AbortSignal;
  /** How long the pane must have been waiting for input before the prompt is typed (Codex: see askAgent). */
  settleMs?: number;
  /** Decides an approval the agent asks for during the turn; the answer is carried to the pane. */
  onApproval: (pane: TurnPane, state: PaneState) => Promise<ApprovalDecision>;
  scanLines?: number;
  /** How long the agent must stay back at its prompt for the turn to count as ended. Default 1000 ms. */
  quietMs?: number;
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * One turn of an agent: waits until the pane listens, types the prompt, follows the turn (working, maybe
 * approvals, then waiting for input again) and returns the text that appeared below the prompt, without the
 * CLI's own lines. Like askAgent, but an approval asked during the turn is decided (by `onApproval`) and the
 * turn goes on, and the node's AbortSignal ends the wait. Never throws.
 */
export async function runTurn(pane: TurnPane, prompt: string, options: TurnOptions): Promise<TurnResult> {
  const { signal } = options;
  const settleMs = options.settleMs ?? 500;
  const quietMs = options.quietMs ?? 1000;
  const scanLines = options.scanLines ?? 2000;
  const aborted = (): TurnResult => ({
    ok: false,
    error: `pane ${pane.id}: the node's time ran out (state ${pane.state.name}) / 节点超时`,
  });
  const anchor = normalise(prompt.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').slice(0, 40);

  const listening = await waitUntil(pane, signal, () => {
    const state = pane.state;
    if (state.name === 'exited') return 'exited';
    return state.name === 'awaiting_input' && Date.now() - Date.parse(state.since) >= settleMs
      ? 'ready'
      : undefined;
  });
  if (listening === 'aborted') return aborted();
  if (listening === 'exited') return { ok: false, error: `pane ${pane.id} has exited / 窗格已退出` };
  const earlier = occurrences(await pane.tail(scanLines), anchor).length;

  // Only what happens after the prompt went in counts: a fresh Codex works a moment while its session and
  // app-server attach start (title spinner, thread/resume), which is not the turn.
  let submitted = false;
  let busy = false;
  let deciding = false;
  /** Approval prompts already decided, by when they appeared: one stays on screen a moment after its answer. */
  const handled = new Set<string>();
  let outcome: 'done' | { error: string } | undefined;
  const approve = async (state: PaneState): Promise<void> => {
    deciding = true;
    try {
      const decision = await options.onApproval(pane, state);
      if (signal.aborted) return;
      await pane.answerApproval(decision);
    } catch (error) {
      outcome ??= { error: error instanceof Error ? error.message : String(error) };
    } finally {
      deciding = false;
    }
  };
  const observe = (name: PaneState['name']): void => {
    if (!submitted) return;
    if (name === 'working' || name === 'stalled') busy = true;
    else if (name === 'awaiting_approval') {
      busy = true;
      const state = pane.state;
      if (!deciding && state.name === 'awaiting_approval' && !handled.has(state.since)) {
        handled.add(state.since);
        void approve(state);
      }
    }
  };
  const onState = (event: PaneStateEvent): void => {
    observe(event.to);
    if (event.to === 'exited') outcome ??= { error: `pane ${pane.id} exited during the turn / 窗格已退出` };
    else if (submitted && event.to === 'error' && event.error?.retrying === false)
      outcome ??= { error: `pane ${pane.id} failed: ${event.error.message}` };
  };
  const subscription = pane.onState(onState);
  try {
    const sent = await Promise.race([pane.send(prompt), abortedPromise(signal)]);
    if (sent === 'aborted') return aborted();
    if (!sent) return { ok: false, error: `pane ${pane.id} did not take the prompt / 窗格未接收提示` };
    submitted = true;
    // The turn is over when the agent has been back at its prompt for `quietMs`: Codex flips working / idle
    // within milliseconds while its app-server attaches, which is not the end of a turn.
    const end = await waitUntil(pane, signal, () => {
      const state = pane.state;
      observe(state.name);
      if (
        outcome === undefined &&
        busy &&
        !deciding &&
        state.name === 'awaiting_input' &&
        Date.now() - Date.parse(state.since) >= quietMs
      )
        outcome = 'done';
      return outcome === undefined ? undefined : 'end';
    });
    if (end === 'aborted') return aborted();
  } finally {
    subscription.dispose();
  }
  const lines = await pane.tail(scanLines);
  const found = occurrences(lines, anchor);
  // Scrollback may have dropped earlier occurrences during a long turn; the newest one is then ours.
  const at = found[earlier] ?? found[found.length - 1];
  const text = at === undefined ? '' : extractAnswer(lines.slice(at + 1), DEFAULT_CHROME);
  if (outcome !== 'done' && outcome !== undefined) return { ok: false, error: outcome.error, text };
  return { ok: true, text };
}

function occurrences(lines: readonly string[], anchor: string): number[] {
  const found: number[] = [];
  if (!anchor) return found;
  lines.forEach((line, i) => {
    if (normalise(line).includes(anchor)) found.push(i);
  });
  return found;
}

function abortedPromise(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}

/** Re-checks on every state change and every 50 ms (settling needs time, not events) until `check` answers. */
function waitUntil<T extends string>(
  pane: TurnPane,
  signal: AbortSignal,
  check: () => T | undefined,
): Promise<T | 'aborted'> {
  return new Promise((resolve) => {
    const done = (value: T | 'aborted'): void => {
      clearInterval(poll);
      signal.removeEventListener('abort', onAbort);
      subscription.dispose();
      resolve(value);
    };
    const onAbort = (): void => done('aborted');
    const test = (): void => {
      const value = check();
      if (value !== undefined) done(value);
    };
    const poll = setInterval(test, 50);
    const subscription = pane.onState(test);
    if (signal.aborted) return done('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    test();
  });
}
