export declare const AIDER_COMMAND_RULE: Record<string, unknown>;
export declare function writeApprovalAgentWorkspace(
  ws: string,
  options?: { mode?: string; config?: Record<string, unknown>; commandRule?: boolean },
): { stampFile: string };
