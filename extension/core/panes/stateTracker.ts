import type {
  ApprovalRequest,
  ErrorClass,
  PaneErrorInfo,
  PaneState,
  PaneStateEvent,
  PaneStateName,
  ScreenSnapshot,
} from './types';

/** A profile rule with its regular expressions compiled once (see extension/core/agents/profiles.ts). */
export interface DetectionRule {
  id: string;
  state: PaneStateName;
  source: 'live' | 'screen' | 'title';
  re: RegExp;
  priority: number;
  error?: { class: ErrorClass; retrying: boolean };
  approval?: { kind: ApprovalRequest['kind']; commandRe?: RegExp };
}

export interface TrackerTiming {
  /** A calm screen must hold this long before an agent counts as waiting for input (spinners redraw). */
  idleDebounceMs: number;
  /** Working without progress on screen for this long is a stall (`stall_timeout_seconds`). */
  stallTimeoutMs: number;
  /** How many rows at the bottom of the screen form the live region (the prompt, the status line). */
  liveRows: number;
}

/** How long the screen may not contradict a structured report (a TUI redraws within a few frames). */
export const STRUCTURED_HOLD_MS = 1500;

export const DEFAULT_TIMING: TrackerTiming = { idleDebounceMs: 400, stallTimeoutMs: 120_000, liveRows: 14 };

export interface TrackerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemClock: TrackerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface Candidate {
  name: PaneStateName;
  reason: string;
  evidence: string[];
  approval?: ApprovalRequest;
  error?: PaneErrorInfo;
}

/**
 * Digits, spinner glyphs and elapsed-time counters change every second while an agent is stuck; progress means
 * the rest of the screen changed.
 */
const SPINNER_AND_DIGITS = /[\d\u2800-\u28ff•◦●○◐◓◑◒✻✶✳✢·✽⠁-⠿|/\\-]+/g;

function progressKey(lines: readonly string[]): string {
  return lines.map((l) => l.replace(SPINNER_AND_DIGITS, '')).join('\n');
}

/**
 * The bottom of the screen, where a TUI keeps its prompt and status: the last `rows` non-empty rows up to the
 * cursor or the last text. Quoted text above it cannot match `live` rules. Counting non-empty rows keeps a
 * sparse screen (a TUI that pads with blank rows) from hiding its last lines.
 */
export function liveRegion(snapshot: ScreenSnapshot, rows: number): string[] {
  let last = snapshot.lines.length - 1;
  while (last > 0 && (snapshot.lines[last] ?? '').trim() === '') last--;
  const end = Math.max(last, Math.min(snapshot.cursorRow, snapshot.lines.length - 1));
  let start = end;
  let nonEmpty = 0;
  for (let row = end; row >= 0; row--) {
    start = row;
    if ((snapshot.lines[row] ?? '').trim() !== '' && ++nonEmpty >= rows) break;
  }
  return snapshot.lines.slice(start, end + 1);
}

/**
 * Turns successive screens of one pane into state transitions. Strong signals (an approval prompt, an error,
 * work starting, the process exiting) switch at once, so a prompt is reported within one parse of its bytes;
 * "waiting for input" must hold for `idleDebounceMs`, so a blinking spinner or a redraw does not flap the
 * state; "stalled" is working with no progress for `stallTimeoutMs`.
 */
export class StateTracker {
  private current: PaneState;
  private pendingIdle: { candidate: Candidate; timer: { cancel(): void } } | undefined;
  private stallTimer: { cancel(): void } | undefined;
  private lastProgressKey = '';
  private lastProgressAt: number;
  private lastSnapshot: ScreenSnapshot | undefined;
  /** Until then the screen may not contradict what a structured source (protocol, hook) reported. */
  private structuredHoldUntil = 0;
  /** The current state came from a structured source: a screen reading of the same state adds nothing. */
  private currentIsStructured = false;
  private readonly listeners = new Set<(event: PaneStateEvent) => void>();

  constructor(
    private readonly pane: { id: string; agent: string; branch?: string },
    private rules: readonly DetectionRule[],
    private readonly timing: TrackerTiming = DEFAULT_TIMING,
    private readonly clock: TrackerClock = systemClock,
  ) {
    this.lastProgressAt = clock.now();
    this.current = {
      name: 'starting',
      reason: 'process started',
      evidence: [],
      since: new Date(clock.now()).toISOString(),
    };
  }

  get state(): PaneState {
    return this.current;
  }

  onTransition(listener: (event: PaneStateEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Lets a workspace override reload patterns without restarting the pane. */
  setRules(rules: readonly DetectionRule[]): void {
    this.rules = rules;
    if (this.lastSnapshot) this.observe(this.lastSnapshot);
  }

  /** Feed the screen after each parsed write. */
  observe(snapshot: ScreenSnapshot): void {
    if (this.current.name === 'exited') return;
    this.lastSnapshot = snapshot;
    const now = this.clock.now();
    const key = progressKey(snapshot.lines) + '\u0000' + snapshot.title.replace(SPINNER_AND_DIGITS, '');
    const progressed = key !== this.lastProgressKey;
    if (progressed) {
      this.lastProgressKey = key;
      this.lastProgressAt = now;
    }
    const candidate = this.classify(snapshot);
    if (!candidate) return;
    if (this.currentIsStructured && candidate.name === this.current.name) return;
    // A structured source outranks the screen for a while: the TUI redraws its old state a moment after the
    // protocol already said what changed. An error or the screen's exit still counts.
    if (now < this.structuredHoldUntil && candidate.name !== 'error') return;

    if (candidate.name === 'awaiting_input') {
      if (this.current.name === 'awaiting_input' || this.pendingIdle) {
        if (this.pendingIdle && progressed) this.armIdle(candidate); // still redrawing: wait again
        return;
      }
      this.armIdle(candidate);
      return;
    }
    this.cancelIdle();
    if (candidate.name === 'working' && this.current.name === 'stalled' && !progressed) return;
    this.transition(candidate);
    if (candidate.name === 'working' && !this.stallTimer) this.armStall();
  }

  /** The process ended: final state. */
  exited(exitCode: number, signal?: number): void {
    this.cancelIdle();
    this.stallTimer?.cancel();
    this.transition(
      {
        name: 'exited',
        reason: signal ? `process ended by signal ${signal}` : `process exited with code ${exitCode}`,
        evidence: [],
      },
      exitCode,
    );
  }

  /**
   * For structured sources (Codex's app-server protocol, agent hooks): they outrank the screen, which may not
   * contradict them for `holdMs`. A report counts as progress, so a protocol that streams events keeps a
   * working pane from being called stalled.
   */
  report(candidate: Candidate, options: { holdMs?: number } = {}): void {
    if (this.current.name === 'exited') return;
    const now = this.clock.now();
    this.structuredHoldUntil = now + (options.holdMs ?? STRUCTURED_HOLD_MS);
    this.lastProgressAt = now;
    this.cancelIdle();
    this.transition(candidate, undefined, true);
    if (candidate.name === 'working') this.armStall();
    else {
      this.stallTimer?.cancel();
      this.stallTimer = undefined;
    }
  }

  /** A structured source saw activity (a streamed item, a tool call) without a change of state. */
  progress(): void {
    this.lastProgressAt = this.clock.now();
  }

  dispose(): void {
    this.cancelIdle();
    this.stallTimer?.cancel();
    this.listeners.clear();
  }

  private classify(snapshot: ScreenSnapshot): Candidate | undefined {
    const live = liveRegion(snapshot, this.timing.liveRows);
    let best: { rule: DetectionRule; lines: string[] } | undefined;
    for (const rule of this.rules) {
      if (best && rule.priority <= best.rule.priority) continue;
      const lines =
        rule.source === 'title' ? [snapshot.title] : rule.source === 'live' ? live : snapshot.lines;
      const matched = lines.filter((line) => {
        rule.re.lastIndex = 0;
        return rule.re.test(line);
      });
      if (matched.length > 0) best = { rule, lines: matched };
    }
    if (!best) return undefined;
    const { rule, lines } = best;
    const candidate: Candidate = {
      name: rule.state,
      reason: `${rule.id} matched the ${rule.source === 'title' ? 'terminal title' : 'screen'}`,
      evidence: lines.slice(0, 5),
    };
    if (rule.error) candidate.error = { ...rule.error, message: lines[0] ?? '' };
    if (rule.approval) candidate.approval = this.parseApproval(rule, live);
    return candidate;
  }

  private parseApproval(rule: DetectionRule, live: string[]): ApprovalRequest {
    const request: ApprovalRequest = { kind: rule.approval?.kind ?? 'other', options: [] };
    const commandRe = rule.approval?.commandRe;
    if (commandRe) {
      for (const line of live) {
        const m = commandRe.exec(line);
        if (m?.[1]) {
          request.command = m[1].trim();
          break;
        }
      }
    }
    for (const line of live) {
      // Numbered options as the TUIs print them: "1. Yes, proceed (y)", "❯ 1. Yes", or inside Gemini's box
      // "│ ● 1. Allow once │".
      const m = /^[\s│┃]*[›❯>●]?\s*(\d)[.)]\s+(.+?)\s*(?:\((\w+|esc)\))?[\s│┃]*$/.exec(line);
      if (m?.[1] && m[2])
        request.options.push({
          keys: m[3] && m[3] !== 'esc' ? m[3] : m[3] === 'esc' ? '\u001b' : m[1],
          label: m[2],
        });
    }
    return request;
  }

  private armIdle(candidate: Candidate): void {
    this.pendingIdle?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.pendingIdle = undefined;
      this.stallTimer?.cancel();
      this.stallTimer = undefined;
      this.transition(candidate);
    }, this.timing.idleDebounceMs);
    this.pendingIdle = { candidate, timer };
  }

  private cancelIdle(): void {
    this.pendingIdle?.timer.cancel();
    this.pendingIdle = undefined;
  }

  /** One timer per working spell; it re-arms itself from the time of the last progress. */
  private armStall(): void {
    this.stallTimer?.cancel();
    const check = (): void => {
      this.stallTimer = undefined;
      if (this.current.name !== 'working') return;
      const quiet = this.clock.now() - this.lastProgressAt;
      if (quiet >= this.timing.stallTimeoutMs) {
        this.transition({
          name: 'stalled',
          reason: `working, but no progress on screen for ${Math.round(quiet / 1000)} s`,
          evidence: this.lastSnapshot
            ? liveRegion(this.lastSnapshot, this.timing.liveRows).filter(Boolean).slice(-3)
            : [],
        });
      } else {
        this.stallTimer = this.clock.setTimeout(check, this.timing.stallTimeoutMs - quiet);
      }
    };
    this.stallTimer = this.clock.setTimeout(
      check,
      Math.max(0, this.timing.stallTimeoutMs - (this.clock.now() - this.lastProgressAt)),
    );
  }

  private transition(candidate: Candidate, exitCode?: number, structured = false): void {
    const from = this.current;
    this.currentIsStructured = structured;
    const same =
      from.name === candidate.name &&
      from.approval?.command === candidate.approval?.command &&
      from.error?.class === candidate.error?.class &&
      from.error?.retrying === candidate.error?.retrying;
    if (same) return;
    const ts = new Date(this.clock.now()).toISOString();
    this.current = {
      name: candidate.name,
      reason: candidate.reason,
      evidence: candidate.evidence,
      since: ts,
      ...(candidate.approval ? { approval: candidate.approval } : {}),
      ...(candidate.error ? { error: candidate.error } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
    const event: PaneStateEvent = {
      type: 'pane.state',
      ts,
      pane: this.pane.id,
      agent: this.pane.agent,
      ...(this.pane.branch ? { branch: this.pane.branch } : {}),
      from: from.name,
      to: candidate.name,
      reason: candidate.reason,
      evidence: candidate.evidence,
      ...(candidate.approval ? { approval: candidate.approval } : {}),
      ...(candidate.error ? { error: candidate.error } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
    for (const listener of this.listeners) listener(event);
  }
}
