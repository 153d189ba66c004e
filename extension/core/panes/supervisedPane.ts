import type { Logger } from '../observability/appLog';
import { Emitter, type Disposable } from './events';
import type { PacingOptions } from './inputPacer';
import { Pane, type PaneOptions } from './pane';
import type { PtyHost } from './ptyHost';
import {
  DEFAULT_TIMING,
  liveRegion,
  StateTracker,
  type DetectionRule,
  type TrackerClock,
  type TrackerTiming,
} from './stateTracker';
import type { ApprovalChannel, ApprovalDecision, ApprovalRequest, PaneState, PaneStateEvent } from './types';

const EVAL_SPACING_MS = 25;
const SUBMIT_CHECK_MS = 3000;

/** What a pane needs from an agent profile at run time (see extension/core/agents/runtimeProfile.ts). */
export interface RuntimeProfile {
  kind: string;
  pacing: PacingOptions;
  rules: readonly DetectionRule[];
  timing: Partial<Pick<TrackerTiming, 'idleDebounceMs' | 'liveRows'>>;
  /** The profile's keys for a prompt without numbered options on screen (Aider's `(Y)es/(N)o`: "y\r"). */
  approval?: { approve: string; deny: string; approveForSession?: string };
}

export interface SupervisedPaneOptions extends Omit<PaneOptions, 'agent' | 'pacing' | 'isReady'> {
  profile: RuntimeProfile;
  ptyHost: PtyHost;
  log: Logger;
  /** `stall_timeout_seconds` in milliseconds. */
  stallTimeoutMs?: number;
  clock?: TrackerClock;
}

/**
 * A pane whose state is known: the agent's bytes reach the headless screen, and each parsed screen goes to the
 * state tracker. Evaluations are coalesced (one per parse batch), so a flood of output costs one classification
 * per batch, while a prompt is classified as soon as its bytes are on the screen.
 */
export class SupervisedPane {
  readonly pane: Pane;
  readonly tracker: StateTracker;
  /** The profile the pane runs with (its rules tell the agent's interface lines from its answers). */
  readonly profile: RuntimeProfile;
  private readonly log: Logger;
  private readonly stateEmitter = new Emitter<PaneStateEvent>();
  private evaluating = false;
  private dirty = false;
  /** Input was submitted since the agent was last seen waiting: the next queued text must wait again. */
  private submittedSinceIdle = false;
  /** Reasons to keep typed input back for now (see holdInput). */
  private inputHolds = 0;
  private followUp: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private lastEvaluationAt = 0;
  private readonly subscriptions: Disposable[] = [];
  private approvalChannel: ApprovalChannel | undefined;

  constructor(options: SupervisedPaneOptions) {
    const { profile, stallTimeoutMs, clock, log, ...paneOptions } = options;
    this.profile = profile;
    this.log = log;
    this.tracker = new StateTracker(
      { id: options.id, agent: profile.kind, ...(options.branch ? { branch: options.branch } : {}) },
      profile.rules,
      {
        ...DEFAULT_TIMING,
        ...profile.timing,
        stallTimeoutMs: stallTimeoutMs ?? DEFAULT_TIMING.stallTimeoutMs,
      },
      clock,
    );
    this.pane = new Pane({
      ...paneOptions,
      log,
      agent: profile.kind,
      pacing: profile.pacing,
      isReady: () =>
        this.tracker.state.name === 'awaiting_input' && !this.submittedSinceIdle && this.inputHolds === 0,
    });
    this.subscriptions.push(
      this.tracker.onTransition((event) => {
        log.info('pane', 'pane.state', { ...event });
        if (event.to === 'awaiting_input') {
          this.submittedSinceIdle = false;
          this.pane.notifyReady();
        }
        this.stateEmitter.fire(event);
      }),
      this.pane.onData(() => this.schedule()),
      this.pane.onTitle(() => this.schedule()),
      this.pane.onExit((exit) => this.tracker.exited(exit.exitCode, exit.signal)),
    );
  }

  get id(): string {
    return this.pane.id;
  }

  get state(): PaneState {
    return this.tracker.state;
  }

  onState(listener: (event: PaneStateEvent) => void): Disposable {
    return this.stateEmitter.event(listener);
  }

  /** Types text for the agent, paced; by default only once the agent waits for input. */
  async send(text: string, options: { submit?: boolean; whenReady?: boolean } = {}): Promise<boolean> {
    const sent = await this.pane.send(text, {
      submit: options.submit ?? true,
      whenReady: options.whenReady ?? true,
    });
    if (sent && (options.submit ?? true)) {
      this.submittedSinceIdle = true;
      void this.confirmSubmitted(text);
    }
    return sent;
  }

  /**
   * An agent that shows its prompt while it still starts up (Codex, at its first start) ignores the Enter that
   * follows typed text. When the state does not move within `SUBMIT_CHECK_MS` and the text still sits in the
   * live region, the submit keys go again, twice at most.
   */
  private async confirmSubmitted(text: string): Promise<void> {
    const probe = text.replace(/\s+/g, '').slice(0, 24);
    if (!probe) return;
    for (let attempt = 1; attempt <= 2; attempt++) {
      // Only an agent still waiting for input can have ignored the Enter: one that works already took it (and
      // an Enter while it works would steer its turn).
      if (this.tracker.state.name !== 'awaiting_input') return;
      const since = this.tracker.state.since;
      const end = Date.now() + SUBMIT_CHECK_MS;
      while (Date.now() < end && this.tracker.state.since === since && !this.disposed) {
        await new Promise((r) => setTimeout(r, 100));
      }
      if (this.disposed || this.pane.exited || this.tracker.state.since !== since) return;
      if (this.tracker.state.name !== 'awaiting_input') return;
      // Only the bottom rows, where an input box is: the text echoed in the history above proves nothing.
      const live = liveRegion(this.pane.snapshot(), 6).join('').replace(/\s+/g, '');
      if (!live.includes(probe)) return;
      this.log.info('pane', 'pane.input.resubmitted', { pane: this.id, attempt });
      this.pane.write(this.profile.pacing.submitKeys ?? '\r');
    }
  }

  /**
   * Keeps typed input back until `until` settles (or `maxMs` passes): an agent that shows its prompt before it
   * can take input (Codex before its app-server daemon is up drops the Enter of the first prompt, and its title
   * spinner then hides that the text still sits in the input box) gets it once it can.
   */
  holdInput(until: Promise<unknown>, maxMs: number, why: string): void {
    this.inputHolds++;
    let released = false;
    const release = (how: string): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.inputHolds--;
      this.log.info('pane', 'pane.input.released', { pane: this.id, why, how });
      if (this.inputHolds === 0) this.pane.notifyReady();
    };
    const timer = setTimeout(() => release('timeout'), maxMs);
    timer.unref?.();
    void until.then(
      () => release('ready'),
      () => release('failed'),
    );
  }

  /**
   * Ties a structured source (protocol client, hook listener) to this pane: it reports through `tracker.report`,
   * may answer approvals, and is disposed with the pane.
   */
  attach(source: Disposable & { approvalChannel?: ApprovalChannel }): void {
    this.subscriptions.push(source);
    if (source.approvalChannel) this.approvalChannel = source.approvalChannel;
  }

  /**
   * Carries a decision to the agent: through its structured channel when it has one and the request is pending
   * there, else as the keys of the matching option on screen. Returns how it went, or undefined when the pane
   * does not wait for an approval.
   */
  async answerApproval(
    decision: ApprovalDecision,
    message?: string,
  ): Promise<{ via: 'protocol' | 'keys'; keys?: string } | undefined> {
    const state = this.tracker.state;
    if (state.name !== 'awaiting_approval') return undefined;
    // A denial's message goes in as the agent's next instruction once it asks for input again (neither the keys
    // nor Codex's protocol answer carry text).
    const tell = (): void => {
      if (message && (decision === 'deny' || decision === 'cancel')) void this.send(message);
    };
    if (this.approvalChannel && (await this.approvalChannel.answer(decision, message))) {
      tell();
      return { via: 'protocol' };
    }
    const keys = keysForDecision(state.approval, decision, this.profile.approval);
    this.pane.write(keys);
    tell();
    return { via: 'keys', keys };
  }

  /**
   * At most one classification every `EVAL_SPACING_MS` per pane: a flood of output (100 KB/s is ~50 pty chunks
   * a second) would otherwise classify every chunk, half of them on an unchanged screen (test/bench/panes.mjs),
   * while a prompt that follows a quiet moment is classified as soon as its bytes are parsed.
   */
  private schedule(): void {
    if (this.evaluating || this.followUp) {
      this.dirty = true;
      return;
    }
    const wait = this.lastEvaluationAt + EVAL_SPACING_MS - Date.now();
    if (wait > 0) {
      this.followUp = setTimeout(() => {
        this.followUp = undefined;
        this.schedule();
      }, wait);
      return;
    }
    this.evaluating = true;
    void this.pane.whenParsed().then(() => {
      this.evaluating = false;
      if (this.disposed) return;
      this.lastEvaluationAt = Date.now();
      this.tracker.observe(this.pane.snapshot());
      if (this.dirty) {
        this.dirty = false;
        this.schedule();
      }
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.followUp) clearTimeout(this.followUp);
    for (const s of this.subscriptions) s.dispose();
    this.tracker.dispose();
    this.stateEmitter.dispose();
    await this.pane.dispose();
  }
}

/**
 * The option on screen that carries a decision: approve is the first option; for the session, the option that
 * says so; deny and cancel the option answered with Esc or starting with "No", else Esc itself.
 */
export function keysForDecision(
  request: ApprovalRequest | undefined,
  decision: ApprovalDecision,
  profileKeys?: RuntimeProfile['approval'],
): string {
  const options = request?.options ?? [];
  // No options on screen: the profile says how this agent is answered.
  if (options.length === 0 && profileKeys) {
    if (decision === 'approve') return profileKeys.approve;
    if (decision === 'approve_for_session') return profileKeys.approveForSession ?? profileKeys.approve;
    return profileKeys.deny;
  }
  const esc = '\u001b';
  if (decision === 'approve') return options[0]?.keys ?? 'y';
  if (decision === 'approve_for_session') {
    const session = options.find((o) => /session|don't ask|always|allow all/i.test(o.label));
    return session?.keys ?? options[0]?.keys ?? 'y';
  }
  if (decision === 'cancel') return esc;
  const no = options.find((o) => o.keys === esc || /^no\b/i.test(o.label));
  // A bare (y/n) question, as Aider asks, has no options to read.
  return no?.keys ?? (options.length === 0 ? 'n' : esc);
}
