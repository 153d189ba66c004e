import { z } from 'zod';

/**
 * The control channel between `fleet` commands and a running supervisor (`fleet orchestrator` or the VS Code
 * window): newline-delimited JSON over a unix socket (a named pipe on Windows) that only the user can open, and
 * a token on every request besides. The socket path and token are in `.fleetai/state/control.json` (mode 0600),
 * written by the supervisor at start and removed at exit.
 */
export const CONTROL_METHODS = [
  'status',
  'send',
  'ask',
  'approvals.list',
  'approvals.decide',
  'unblock',
  // What an agent tells FleetAI through FleetAI's own MCP server (extension/core/mcpServer).
  'pane.report',
  'pane.note',
  'pane.task',
  'tasks.list',
  'approvals.request',
  'approvals.withdraw',
  // The supervisor's MCP bridge (extension/core/mcp/mcpControl.ts): `fleet mcp:*` share its sessions.
  'mcp.list',
  'mcp.tools',
  'mcp.call',
  'mcp.reconnect',
] as const;

export const controlRequestSchema = z.object({
  id: z.number().int(),
  token: z.string().min(1),
  method: z.enum(CONTROL_METHODS),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type ControlRequest = z.infer<typeof controlRequestSchema>;

export type ControlResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

export const controlFileSchema = z.object({
  socket: z.string(),
  token: z.string(),
  pid: z.number().int(),
  started_at: z.string(),
  workspace: z.string(),
});
export type ControlFile = z.infer<typeof controlFileSchema>;

export const sendParamsSchema = z.object({ pane: z.string().min(1), text: z.string().min(1) });
export const decideParamsSchema = z.object({
  id: z.string().min(1),
  decision: z.enum(['approve', 'approve_for_session', 'deny', 'cancel']),
  message: z.string().optional(),
});
export const askParamsSchema = z.object({
  pane: z.string().min(1),
  question: z.string().min(1),
  timeoutSeconds: z.number().positive().max(3600).default(120),
});
export const unblockParamsSchema = z.object({ pane: z.string().min(1) });

/** An agent's own account of what it does (MCP tool report_status). */
export const REPORTED_STATES = ['working', 'blocked', 'done', 'needs_input'] as const;
export const paneReportParamsSchema = z.object({
  pane: z.string().min(1),
  state: z.enum(REPORTED_STATES),
  summary: z.string().min(1).max(2000),
  progress: z.number().min(0).max(100).optional(),
});
export const paneNoteParamsSchema = z.object({ pane: z.string().min(1), text: z.string().min(1).max(4000) });
export const paneTaskParamsSchema = z.object({ pane: z.string().min(1) });
/** A decision an agent asks for through MCP (request_approval); the call waits for it, bounded. */
export const approvalRequestParamsSchema = z.object({
  pane: z.string().min(1),
  action: z.string().min(1).max(2000),
  reason: z.string().min(1).max(2000),
  risk: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
  timeoutSeconds: z.number().positive().max(3600).default(600),
  /** The asker's own key for the request, so it can withdraw it (approvals.withdraw) when it stops waiting. */
  key: z.string().min(1).max(200).optional(),
});
export const approvalWithdrawParamsSchema = z.object({ key: z.string().min(1).max(200) });
