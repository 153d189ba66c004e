import { z } from 'zod';

/**
 * What the supervisor knows and remembers about each pane, with the names of the seeds (000, 003): a phase, the
 * blockers with their retries, the last command's result, recent actions, summaries of long transcripts, the
 * next actions, the queued commands, the failure streak. Persisted in `.fleetai/state/supervisor.json`, so a
 * restarted orchestrator continues where it stopped.
 */
export const PHASES = ['PLANNING', 'EXECUTING', 'VERIFYING', 'BLOCKED', 'DONE'] as const;
export type Phase = (typeof PHASES)[number];

export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISKS)[number];

export const subTaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  depends_on: z.array(z.string()),
  acceptance: z.object({ checklist: z.array(z.string()).optional(), command: z.string().optional() }),
});
export type SubTask = z.infer<typeof subTaskSchema>;

export const blockerSchema = z.object({
  /** Stable kind, so the same blocker is updated rather than added twice. */
  kind: z.enum([
    'stall',
    'error',
    'auth',
    'restart',
    'loop',
    'failure_streak',
    'approval',
    'dependency',
    // The state (supervisor.json, approvals...) could not be written: FleetAI does nothing to the pane until it can.
    'state_unwritable',
    'other',
  ]),
  reason: z.string(),
  retries: z.number().int().nonnegative(),
  since: z.string(),
});
export type Blocker = z.infer<typeof blockerSchema>;

export const commandResultSchema = z.object({
  command_id: z.string(),
  text: z.string(),
  result: z.enum(['success', 'failure', 'dry_run', 'denied', 'cancelled']),
  detail: z.string(),
  ts: z.string(),
});
export type CommandResult = z.infer<typeof commandResultSchema>;

export const queuedCommandSchema = z.object({
  id: z.string(),
  pane: z.string(),
  text: z.string(),
  cwd: z.string().optional(),
  kind: z.enum(['prompt', 'nudge', 'continue', 'keys', 'shell']),
  risk: z.enum(RISKS),
  requires_confirmation: z.boolean(),
  source: z.enum(['user', 'cli', 'supervisor', 'model', 'task', 'remote']),
  queued_at: z.string(),
  /** Set while the command waits for a human's decision. */
  approval_id: z.string().optional(),
});
export type QueuedCommand = z.infer<typeof queuedCommandSchema>;

export const actionSchema = z.object({ ts: z.string(), action: z.string(), detail: z.string() });
export type RecentAction = z.infer<typeof actionSchema>;

export const paneMetaSchema = z.object({
  pane: z.string(),
  branch: z.string().optional(),
  agent: z.string(),
  task: z.string().optional(),
  phase: z.enum(PHASES),
  state: z.string(),
  state_since: z.string(),
  blockers: z.array(blockerSchema),
  last_command_result: commandResultSchema.optional(),
  recent_actions: z.array(actionSchema),
  history_summaries: z.array(z.object({ ts: z.string(), summary: z.string() })),
  next_actions: z.array(z.string()),
  queued_commands: z.array(queuedCommandSchema),
  failure_streak: z.number().int().nonnegative(),
  /** Nudges given in the current stall spell. */
  stall_nudges: z.number().int().nonnegative(),
  /** Retries of the current error spell (rate limit, server, network). */
  error_retries: z.number().int().nonnegative(),
  /** When the pending retry of the current error spell is due. */
  retry_at: z.string().optional(),
  /** Restarts that failed in a row, and when the breaker lets the next one happen. */
  restart_failures: z.number().int().nonnegative(),
  restart_not_before: z.string().optional(),
  /** Actions FleetAI took recently, as short keys, for the loop detector. */
  action_keys: z.array(z.string()),
  task_decomposition: z.array(subTaskSchema).optional(),
});
export type PaneMeta = z.infer<typeof paneMetaSchema>;

export const supervisorStateSchema = z.object({
  version: z.literal(1),
  orchestrator_heartbeat: z.string().optional(),
  started_at: z.string().optional(),
  pid: z.number().int().optional(),
  dry_run: z.boolean(),
  /** Keyed by branch when the pane has one (the key metrics and dashboards use), else by pane id. */
  panes: z.record(z.string(), paneMetaSchema),
  tasks: z.record(
    z.string(),
    z.object({
      phase: z.enum(PHASES),
      pane: z.string().optional(),
      updated_at: z.string(),
      /** Sub-tasks the model derived from the task's requirements document. */
      decomposition: z.array(subTaskSchema).optional(),
    }),
  ),
});
export type SupervisorState = z.infer<typeof supervisorStateSchema>;

export const RECENT_ACTIONS_KEPT = 20;
export const SUMMARIES_KEPT = 10;

export function emptySupervisorState(dryRun = false): SupervisorState {
  return { version: 1, dry_run: dryRun, panes: {}, tasks: {} };
}

export function newPaneMeta(pane: { id: string; agent: string; branch?: string }, now: string): PaneMeta {
  return {
    pane: pane.id,
    ...(pane.branch ? { branch: pane.branch } : {}),
    agent: pane.agent,
    phase: 'EXECUTING',
    state: 'starting',
    state_since: now,
    blockers: [],
    recent_actions: [],
    history_summaries: [],
    next_actions: [],
    queued_commands: [],
    failure_streak: 0,
    stall_nudges: 0,
    error_retries: 0,
    restart_failures: 0,
    action_keys: [],
  };
}

export function metaKey(pane: { id: string; branch?: string | undefined }): string {
  return pane.branch ?? pane.id;
}

/** Adds or updates the blocker of that kind (a blocker of one kind is one problem, however often it recurs). */
export function setBlocker(meta: PaneMeta, blocker: Omit<Blocker, 'since'>, now: string): Blocker {
  const existing = meta.blockers.find((b) => b.kind === blocker.kind);
  if (existing) {
    existing.reason = blocker.reason;
    existing.retries = blocker.retries;
    return existing;
  }
  const added = { ...blocker, since: now };
  meta.blockers.push(added);
  return added;
}

export function clearBlockers(meta: PaneMeta, kinds: readonly Blocker['kind'][]): Blocker[] {
  const cleared = meta.blockers.filter((b) => kinds.includes(b.kind));
  meta.blockers = meta.blockers.filter((b) => !kinds.includes(b.kind));
  return cleared;
}

export function recordAction(meta: PaneMeta, action: string, detail: string, now: string): void {
  meta.recent_actions.push({ ts: now, action, detail });
  if (meta.recent_actions.length > RECENT_ACTIONS_KEPT)
    meta.recent_actions.splice(0, meta.recent_actions.length - RECENT_ACTIONS_KEPT);
}
