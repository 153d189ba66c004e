import { z } from 'zod';
import { RiskSchema } from './risk';

const timestamp = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'an ISO date and time, e.g. 2026-11-21T10:00:00.000Z');

export const ApprovalKindSchema = z.enum(['command', 'edit', 'other']);
export const ApprovalDecisionSchema = z.enum(['approve', 'approve_for_session', 'deny', 'cancel', 'expired']);
/**
 * Who answered: a FleetAI surface (`vscode`, `cli`, `remote` for a webhook or chat reply), the rules or the
 * model judge, or `terminal` when a person answered in the agent's own terminal and the request closed.
 */
// `portal`, `wecom`, `slack`: decisions taken away from the editor, named by the channel they came through (seed 000
// stage 3); `remote` stays readable for records written before the channels had names of their own.
export const DecidedBySchema = z.enum([
  'vscode',
  'cli',
  'remote',
  'portal',
  'wecom',
  'slack',
  'rule',
  'model',
  'terminal',
]);

export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;
export type DecidedBy = z.infer<typeof DecidedBySchema>;

/** Long screen excerpts bloat every rewrite of pending.json; the last lines are the ones that matter. */
export const MAX_EXCERPT_CHARS = 4000;

export const ApprovalRequestInputSchema = z
  .object({
    pane: z.string().min(1),
    branch: z.string().min(1).optional(),
    agent: z.string().min(1),
    kind: ApprovalKindSchema,
    command: z.string().optional(),
    reason: z.string().optional(),
    risk: RiskSchema,
    reasons: z.array(z.string()),
    source: z.enum(['agent', 'fleet']),
    channelHint: z.string().optional(),
    transcriptExcerpt: z.string().optional(),
  })
  .strict();
export type ApprovalRequestInput = z.input<typeof ApprovalRequestInputSchema>;

export const ApprovalRequestSchema = ApprovalRequestInputSchema.extend({
  id: z.string().min(1),
  requestedAt: timestamp,
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

export const CompletedApprovalSchema = ApprovalRequestSchema.extend({
  decision: ApprovalDecisionSchema,
  decidedBy: DecidedBySchema,
  decidedAt: timestamp,
  message: z.string().optional(),
});
export type CompletedApproval = z.infer<typeof CompletedApprovalSchema>;

export type ApprovalRecord = ApprovalRequest | CompletedApproval;

export function isCompleted(record: ApprovalRecord): record is CompletedApproval {
  return 'decision' in record;
}

/** `pending.json`: requests nobody has answered yet. */
export const PendingFileSchema = z.object({
  version: z.literal(1),
  approvals: z.array(ApprovalRequestSchema),
});
/** `completed.json`: answered requests, oldest first. */
export const CompletedFileSchema = z.object({
  version: z.literal(1),
  approvals: z.array(CompletedApprovalSchema),
});
