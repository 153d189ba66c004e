import { z } from 'zod';

/**
 * What the model answers, declared once with zod: the same schema is sent to the endpoint as the structured
 * output format and validates what comes back. Optional fields are `nullish` because OpenAI's strict structured
 * outputs need every property listed (a missing value comes back as null); `normalise*` turns nulls into absent
 * fields. The root description carries a `fleetai:<kind>` tag, which the fake model server (tests) reads to know
 * which answer to build; a real model just sees a description.
 */

export const PHASES = ['PLANNING', 'EXECUTING', 'VERIFYING', 'BLOCKED', 'DONE'] as const;
export type Phase = (typeof PHASES)[number];

/** From harmless to must-never-run-unattended; the order matters (see `stricter`). */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

const risk = z.enum(RISK_LEVELS);

/** The stricter of two risk levels: a model's opinion may raise a rule's verdict, never lower it. */
export function stricter(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b;
}

export const decisionSchema = z
  .object({
    commands: z
      .array(
        z.object({
          text: z.string().min(1),
          pane: z.string().nullish(),
          reason: z.string(),
          risk,
        }),
      )
      .describe('What to type into agent panes, in order; empty when nothing should be sent now'),
    summary: z.string().describe('One or two sentences on where the work stands'),
    phase: z.enum(PHASES),
    blockers: z.array(z.object({ reason: z.string(), since: z.string().nullish() })),
    next_actions: z
      .array(z.string())
      .describe('Next steps for a person or the supervisor, most useful first'),
    requires_confirmation: z.boolean().describe('True when a person must confirm before anything is sent'),
    risk,
  })
  .describe('fleetai:decide - the supervisor decision for one agent pane');
export type DecisionWire = z.infer<typeof decisionSchema>;

export interface DecisionCommand {
  text: string;
  pane?: string;
  reason: string;
  risk: RiskLevel;
}

export interface Decision {
  commands: DecisionCommand[];
  summary: string;
  phase: Phase;
  blockers: { reason: string; since?: string }[];
  next_actions: string[];
  requires_confirmation: boolean;
  /** At least as strict as every command's risk. */
  risk: RiskLevel;
}

export function normaliseDecision(wire: DecisionWire): Decision {
  const commands = wire.commands.map((c) => ({
    text: c.text,
    ...(c.pane ? { pane: c.pane } : {}),
    reason: c.reason,
    risk: c.risk,
  }));
  return {
    commands,
    summary: wire.summary,
    phase: wire.phase,
    blockers: wire.blockers.map((b) => ({ reason: b.reason, ...(b.since ? { since: b.since } : {}) })),
    next_actions: wire.next_actions,
    requires_confirmation: wire.requires_confirmation,
    // A decision that is calmer than one of its own commands would let that command through on its label.
    risk: commands.reduce<RiskLevel>((acc, c) => stricter(acc, c.risk), wire.risk),
  };
}

export const decompositionSchema = z
  .object({
    tasks: z
      .array(
        z.object({
          id: z.string().min(1),
          title: z.string().min(1),
          depends_on: z.array(z.string()),
          acceptance: z.object({
            checklist: z.array(z.string()).nullish(),
            command: z.string().nullish(),
          }),
        }),
      )
      .min(1),
  })
  .describe('fleetai:decompose - a requirements document split into tasks with dependencies');
export type DecompositionWire = z.infer<typeof decompositionSchema>;

/** One entry of `task_decomposition` (seed 003, scenario D). */
export interface DecomposedTask {
  id: string;
  title: string;
  depends_on: string[];
  acceptance: { checklist?: string[]; command?: string };
}

export function normaliseDecomposition(wire: DecompositionWire): DecomposedTask[] {
  return wire.tasks.map((t) => ({
    id: t.id,
    title: t.title,
    depends_on: t.depends_on,
    acceptance: {
      ...(t.acceptance.checklist ? { checklist: t.acceptance.checklist } : {}),
      ...(t.acceptance.command ? { command: t.acceptance.command } : {}),
    },
  }));
}

/**
 * What JSON Schema cannot say about a decomposition: ids are unique, dependencies name tasks of the list, and
 * there is no cycle. One message per problem, naming the field the way `formatIssues` does.
 */
export function checkDecomposition(tasks: readonly DecomposedTask[]): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (ids.has(t.id)) problems.push(`tasks[${i}].id: "${t.id}" is used twice`);
    else ids.set(t.id, i);
  });
  tasks.forEach((t, i) =>
    t.depends_on.forEach((d, j) => {
      if (!ids.has(d)) problems.push(`tasks[${i}].depends_on[${j}]: no task has the id "${d}"`);
      else if (d === t.id) problems.push(`tasks[${i}].depends_on[${j}]: a task cannot depend on itself`);
    }),
  );
  if (problems.length > 0) return problems;
  // Depth-first search for a cycle; reports the first task found on one.
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const visit = (id: string): boolean => {
    if (state.get(id) === 'done') return false;
    if (state.get(id) === 'visiting') return true;
    state.set(id, 'visiting');
    for (const d of byId.get(id)?.depends_on ?? []) if (visit(d)) return true;
    state.set(id, 'done');
    return false;
  };
  for (const [i, t] of tasks.entries()) {
    if (visit(t.id)) {
      problems.push(`tasks[${i}].depends_on: "${t.id}" is part of a dependency cycle`);
      break;
    }
  }
  return problems;
}

export const summarySchema = z
  .object({
    summary: z.string().min(1).describe('What happened, for the next decision: goal, progress, problems'),
    highlights: z.array(z.string()).describe('Commands run, errors, results worth remembering'),
  })
  .describe('fleetai:summarize - a summary of a pane transcript for history_summaries');
export type Summary = z.infer<typeof summarySchema>;

export const riskJudgementSchema = z
  .object({
    risk,
    reason: z.string(),
  })
  .describe('fleetai:judge - how risky one command is to run unattended');
export type RiskJudgementWire = z.infer<typeof riskJudgementSchema>;
