import type { Phase, RiskLevel } from './decisionSchema';

/**
 * What the supervisor tells the model about one pane (seeds 000/003: recent_summary, recent_actions,
 * last_command_result, blockers, the task and its acceptance). Screen text is the agent's output, untrusted:
 * the prompts say so, and nothing here is ever executed.
 */
export interface DecisionContext {
  pane: {
    id: string;
    agent: string;
    branch?: string;
    /** The pane's state (`awaiting_input`, `working`, `stalled`...), with its reason. */
    state: string;
    state_reason?: string;
    state_since?: string;
  };
  phase: Phase;
  task?: {
    id?: string;
    title: string;
    acceptance?: { checklist?: string[]; command?: string };
  };
  /** The last lines of the pane's screen (scrollback included), oldest first. */
  screen: string[];
  last_command_result?: { text: string; result: string; detail?: string; ts?: string };
  blockers: { reason: string; kind?: string; since?: string; retries?: number }[];
  recent_summary?: string;
  recent_actions: { ts?: string; action: string; detail?: string }[];
  next_actions?: string[];
}

export interface ContextLimits {
  screenLines: number;
  lineChars: number;
  recentActions: number;
  summaryChars: number;
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = {
  screenLines: 60,
  lineChars: 400,
  recentActions: 10,
  summaryChars: 4000,
};

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The context as the model receives it: newest screen lines and actions only, long lines and summaries clipped,
 * blank runs on the screen collapsed. Keeps every call small and its cost predictable, whatever the pane holds.
 */
export function compactContext(
  context: DecisionContext,
  limits: ContextLimits = DEFAULT_CONTEXT_LIMITS,
): string {
  const screen: string[] = [];
  for (const line of context.screen.slice(-limits.screenLines * 2)) {
    const trimmed = line.trimEnd();
    if (trimmed === '' && (screen.length === 0 || screen[screen.length - 1] === '')) continue;
    screen.push(clip(trimmed, limits.lineChars));
  }
  const compact = {
    pane: context.pane,
    phase: context.phase,
    ...(context.task ? { task: context.task } : {}),
    screen: screen.slice(-limits.screenLines),
    ...(context.last_command_result
      ? {
          last_command_result: {
            ...context.last_command_result,
            ...(context.last_command_result.detail
              ? { detail: clip(context.last_command_result.detail, limits.lineChars * 4) }
              : {}),
          },
        }
      : {}),
    blockers: context.blockers.map((b) => ({ ...b, reason: clip(b.reason, limits.lineChars) })),
    ...(context.recent_summary ? { recent_summary: clip(context.recent_summary, limits.summaryChars) } : {}),
    recent_actions: context.recent_actions.slice(-limits.recentActions),
    ...(context.next_actions?.length ? { next_actions: context.next_actions.slice(0, 10) } : {}),
  };
  return JSON.stringify(compact);
}

/** What `judgeRisk` is asked about: one command and the level the rules already gave it. */
export interface RiskRequest {
  command: string;
  /** The rules' verdict; the answer is never calmer than this. */
  baseline: RiskLevel;
  cwd?: string;
  agent?: string;
  pane?: string;
}
