import { z } from 'zod';

/**
 * The part of Codex's app-server protocol FleetAI reads, as measured on Codex 0.169.0 (field names from
 * `codex app-server generate-ts`; messages recorded in test/fixtures/codex-protocol/). Objects keep only these
 * fields; anything else the daemon sends is ignored, and anything missing that FleetAI needs fails the parse.
 */

export const ThreadStatus = z.object({
  /** `notLoaded` | `idle` | `systemError` | `active` */
  type: z.string(),
  /** With `active`: `waitingOnApproval`, `waitingOnUserInput`. */
  activeFlags: z.array(z.string()).optional(),
});
export type ThreadStatus = z.infer<typeof ThreadStatus>;

export const ThreadSummary = z.object({
  id: z.string(),
  cwd: z.string(),
  /** Side threads (the session title) are ephemeral. */
  ephemeral: z.boolean().optional(),
  /** Set for sub-agents. */
  parentThreadId: z.string().nullable().optional(),
  /** Unix seconds. */
  createdAt: z.number().optional(),
  updatedAt: z.number().optional(),
  recencyAt: z.number().nullable().optional(),
  status: ThreadStatus.optional(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

/** A string (`internalServerError`) or a one-key object (`{ responseTooManyFailedAttempts: { httpStatusCode } }`). */
export const CodexErrorInfo = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .nullable()
  .optional();

export const TurnError = z.object({
  message: z.string(),
  codexErrorInfo: CodexErrorInfo,
  additionalDetails: z.string().nullable().optional(),
});
export type TurnError = z.infer<typeof TurnError>;

export const Turn = z.object({
  id: z.string(),
  /** `completed` | `interrupted` | `failed` | `inProgress` */
  status: z.string(),
  error: TurnError.nullable().optional(),
});

// Notifications (server -> client, no id).
export const ThreadStatusChangedParams = z.object({ threadId: z.string(), status: ThreadStatus });
export const TurnParams = z.object({ threadId: z.string(), turn: Turn });
export const ErrorParams = z.object({
  error: TurnError,
  willRetry: z.boolean(),
  threadId: z.string(),
  turnId: z.string().optional(),
});
export const ServerRequestResolvedParams = z.object({
  threadId: z.string(),
  requestId: z.union([z.string(), z.number()]),
});
export const ThreadStartedParams = z.object({ thread: ThreadSummary });
export const ThreadIdParams = z.object({ threadId: z.string() });

// Requests the server makes of its clients (answered with `{ decision }`).
export const CommandApprovalParams = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  /** `command` | `humanCommand` | `writeStdin` */
  kind: z.string().optional(),
  reason: z.string().nullable().optional(),
  /** As Codex runs it, e.g. `/bin/bash -lc 'touch approved.txt'`. */
  command: z.string().nullable().optional(),
  cwd: z.string().nullable().optional(),
  commandActions: z
    .array(z.object({ type: z.string().optional(), command: z.string().optional() }))
    .nullable()
    .optional(),
  proposedExecpolicyAmendment: z.array(z.string()).nullable().optional(),
  /** Experimental in the schema, sent anyway: what the TUI offers, in its order. */
  availableDecisions: z.array(z.unknown()).nullable().optional(),
});
export type CommandApprovalParams = z.infer<typeof CommandApprovalParams>;

export const FileChangeApprovalParams = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  reason: z.string().nullable().optional(),
  grantRoot: z.string().nullable().optional(),
});

// Results of FleetAI's own requests.
export const InitializeResult = z.object({ userAgent: z.string(), codexHome: z.string().optional() });
export const LoadedListResult = z.object({
  data: z.array(z.string()),
  nextCursor: z.string().nullable().optional(),
});
export const ThreadResult = z.object({ thread: ThreadSummary });

/** What an approval is answered with (`CommandExecutionApprovalDecision` / `FileChangeApprovalDecision`). */
export type ProtocolDecision = 'accept' | 'acceptForSession' | 'decline' | 'cancel';

export const COMMAND_APPROVAL_METHOD = 'item/commandExecution/requestApproval';
export const FILE_CHANGE_APPROVAL_METHOD = 'item/fileChange/requestApproval';
