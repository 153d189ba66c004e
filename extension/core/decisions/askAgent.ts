import { ErrorCode } from '../errors';
import type { DetectionRule } from '../panes/stateTracker';
import type { SupervisedPane } from '../panes/supervisedPane';
import type { PaneStateEvent } from '../panes/types';

export interface AskOptions {
  /** The whole question, from waiting for the pane to the finished answer. Default 120 s. */
  timeoutMs?: number;
  /**
   * How long the pane must have been waiting for input before the question is typed. Codex shows its composer
   * at start-up a moment before it takes Enter; a prompt that has held still is one that listens. Default 500.
   */
  settleMs?: number;
  /** Lines that are the agent's interface, not its answer; added to the defaults (see `chromeFromRules`). */
  chrome?: readonly RegExp[];
  /** How many logical lines (scrollback included) are searched for the question. Default 2000. */
  scanLines?: number;
}

export interface AskAnswer {
  /** The agent's answer as text, interface lines and answer bullets removed. */
  answer: string;
  /** The lines between the question and the prompt, as they were on the screen (for evidence). */
  raw: string[];
  latencyMs: number;
}

export type AskResult =
  | { ok: true; value: AskAnswer }
  | { ok: false; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export const DEFAULT_ASK_TIMEOUT_MS = 120_000;

/**
 * The status and input lines of the agent CLIs FleetAI knows (measured on Codex 0.169, Claude Code 2.1, Gemini
 * CLI 0.61 and the scripted agents of the tests): turn timers, interrupt hints, shortcuts and context meters.
 */
export const DEFAULT_CHROME: readonly RegExp[] = [
  /^\s*[✻✶✳✢·✽*•◦]?\s*[A-Z][a-z]+ for <?\d+(\.\d+)?[smh]\b/, // "Worked for 3s • 07:00", "✻ Baked for 14s"
  /\besc to (interrupt|cancel)\b/i,
  /\?\s*for shortcuts\b/,
  /\b\d+% context left\b/,
  /^\s*[─━═│┃╭╮╰╯┌┐└┘▀▄\s]+$/, // box borders
  /\bShift\+Tab to\b/,
  /^\s*[•◦⠁-⠿]\s*(Working|Thinking)\b/,
];

const PROMPT_LINE = /^\s*[›❯>]( |$)/;
const ANSWER_BULLET = /^(\s*)[•●⏺✦]\s/;

/**
 * The rules of an agent profile that describe its interface (its idle prompt, its working line) as chrome
 * patterns for `askAgent`: the lines that say "working" or "waiting" are never part of an answer.
 */
export function chromeFromRules(rules: readonly DetectionRule[]): RegExp[] {
  return rules.filter((r) => r.state === 'working' || r.state === 'awaiting_input').map((r) => r.re);
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Asks a running agent a question and returns its answer (seed 002: "converse with the running Codex"): waits
 * until the pane listens, types the question, waits for the turn (working, then waiting for input again), and
 * reads what appeared below the question on the pane's screen, scrollback included, without the TUI's prompt
 * and status lines. Resolves to a coded error, never throws: E_ASK_TIMEOUT, or E_ASK_FAILED when the pane exits,
 * fails, or asks for an approval (a person must answer that first).
 */
export async function askAgent(
  sp: SupervisedPane,
  question: string,
  options: AskOptions = {},
): Promise<AskResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS;
  const settleMs = options.settleMs ?? 500;
  const scanLines = options.scanLines ?? 2000;
  const chrome = [...DEFAULT_CHROME, ...(options.chrome ?? [])];
  const anchor = normalise(question.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').slice(0, 40);
  if (anchor === '') return failed(ErrorCode.AskFailed, 'The question is empty', { pane: sp.id });

  const timedOut = (): AskResult =>
    failed(
      ErrorCode.AskTimeout,
      `Pane ${sp.id} did not finish answering within ${Math.round(timeoutMs / 1000)} s (state ${sp.state.name})`,
      { pane: sp.id, state: sp.state.name, timeoutMs },
    );

  // 1. A pane that listens, and has listened for `settleMs`.
  const listening = await waitUntil(sp, started + timeoutMs, () => {
    const state = sp.state;
    if (state.name === 'exited') return 'exited';
    return state.name === 'awaiting_input' && Date.now() - Date.parse(state.since) >= settleMs
      ? 'ready'
      : undefined;
  });
  if (listening === 'timeout') return timedOut();
  if (listening === 'exited') return failed(ErrorCode.AskFailed, `Pane ${sp.id} has exited`, { pane: sp.id });

  // 2. Where the question will appear: after the occurrences already on the screen.
  await sp.pane.whenParsed();
  const earlier = occurrences(sp.pane.screen.tail(scanLines), anchor).length;

  // 3. Type it, and follow the turn: busy, then listening again.
  let busy = false;
  let outcome: 'done' | { code: ErrorCode; message: string } | undefined;
  const subscription = sp.onState((event: PaneStateEvent) => {
    if (event.to === 'working' || event.to === 'stalled') busy = true;
    else if (event.to === 'awaiting_input' && busy) outcome ??= 'done';
    else if (event.to === 'awaiting_approval') {
      outcome ??= {
        code: ErrorCode.AskFailed,
        message: `Pane ${sp.id} asks for an approval instead of answering: ${event.approval?.command ?? event.reason}`,
      };
    } else if (event.to === 'exited') {
      outcome ??= { code: ErrorCode.AskFailed, message: `Pane ${sp.id} exited while answering` };
    } else if (event.to === 'error' && event.error?.retrying === false) {
      outcome ??= { code: ErrorCode.AskFailed, message: `Pane ${sp.id} failed: ${event.error.message}` };
    }
  });
  try {
    let sendTimer: ReturnType<typeof setTimeout> | undefined;
    const sent = await Promise.race([
      sp.send(question),
      new Promise<'timeout'>((resolve) => {
        sendTimer = setTimeout(() => resolve('timeout'), Math.max(0, started + timeoutMs - Date.now()));
      }),
    ]).finally(() => clearTimeout(sendTimer));
    if (sent === 'timeout') return timedOut();
    if (!sent) return failed(ErrorCode.AskFailed, `Pane ${sp.id} did not take the question`, { pane: sp.id });
    const end = await waitUntil(sp, started + timeoutMs, () => (outcome === undefined ? undefined : 'end'));
    if (end === 'timeout') return timedOut();
    if (outcome !== 'done' && outcome !== undefined) {
      return failed(outcome.code, outcome.message, { pane: sp.id, state: sp.state.name });
    }
  } finally {
    subscription.dispose();
  }

  // 4. The answer: below this question's line, above the prompt and status lines.
  await sp.pane.whenParsed();
  const lines = sp.pane.screen.tail(scanLines);
  const found = occurrences(lines, anchor);
  // Scrollback may have dropped earlier occurrences during a long turn; the newest one is then ours.
  const at = found[earlier] ?? found[found.length - 1];
  if (at === undefined) {
    return failed(ErrorCode.AskFailed, `The question is no longer on pane ${sp.id}'s screen`, {
      pane: sp.id,
    });
  }
  const raw = lines.slice(at + 1);
  return { ok: true, value: { answer: extractAnswer(raw, chrome), raw, latencyMs: Date.now() - started } };
}

function failed(code: ErrorCode, message: string, details?: Record<string, unknown>): AskResult {
  return { ok: false, error: { code, message, ...(details ? { details } : {}) } };
}

/** The indexes of the lines that carry the question (the agent echoes it, usually after its prompt mark). */
function occurrences(lines: readonly string[], anchor: string): number[] {
  const found: number[] = [];
  lines.forEach((line, i) => {
    if (normalise(line).includes(anchor)) found.push(i);
  });
  return found;
}

/**
 * What is left of the lines below a question once the interface is gone: the input box and status lines at the
 * bottom (from the last prompt line down, and the widgets right above it), chrome lines anywhere, the bullet
 * an agent puts before its messages, and the blank margins.
 */
export function extractAnswer(lines: readonly string[], chrome: readonly RegExp[] = DEFAULT_CHROME): string {
  let body = [...lines];
  let prompt = -1;
  for (let i = body.length - 1; i >= 0; i--) {
    if (PROMPT_LINE.test(body[i] ?? '')) {
      prompt = i;
      break;
    }
  }
  if (prompt >= 0) {
    body = body.slice(0, prompt);
    // Above the input box: its border, and right-aligned widgets (Claude's effort meter).
    while (body.length > 0) {
      const last = body[body.length - 1] ?? '';
      if (last.trim() === '' || /^ {30,}\S/.test(last) || chrome.some((re) => re.test(last))) body.pop();
      else break;
    }
  }
  body = body.filter((line) => !chrome.some((re) => re.test(line)));
  // The bullet becomes spaces, so its message's hanging indent comes off with the common indentation below.
  body = body.map((line) => line.replace(ANSWER_BULLET, '$1  '));
  while (body.length > 0 && (body[0] ?? '').trim() === '') body.shift();
  while (body.length > 0 && (body[body.length - 1] ?? '').trim() === '') body.pop();
  const indent = Math.min(
    ...body.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0),
    Number.MAX_SAFE_INTEGER,
  );
  return body.map((l) => l.slice(indent === Number.MAX_SAFE_INTEGER ? 0 : indent).trimEnd()).join('\n');
}

/**
 * Resolves with what `check` returns once it returns something, re-checking on every state change and every
 * 50 ms (`settleMs` and the screen need time, not events); 'timeout' at the deadline.
 */
function waitUntil<T extends string>(
  sp: SupervisedPane,
  deadline: number,
  check: () => T | undefined,
): Promise<T | 'timeout'> {
  return new Promise((resolve) => {
    const done = (value: T | 'timeout'): void => {
      clearInterval(poll);
      clearTimeout(limit);
      subscription.dispose();
      resolve(value);
    };
    const test = (): void => {
      const value = check();
      if (value !== undefined) done(value);
    };
    const poll = setInterval(test, 50);
    const limit = setTimeout(() => done('timeout'), Math.max(0, deadline - Date.now()));
    const subscription = sp.onState(test);
    test();
  });
}
