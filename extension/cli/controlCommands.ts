import { askSupervisor, type callControl, type SupervisorAnswer } from '../core/control/controlClient';
import { describeError } from '../core/errors';
import { readSupervisorState } from '../core/supervisor/stateStore';
import { workspacePaths } from '../core/workspacePaths';
import type { CliIo } from './io';

import * as path from 'node:path';

export function controlFileOf(workspace: string): string {
  return path.join(workspacePaths(workspace).stateDir, 'control.json');
}

type Call = SupervisorAnswer;

function call(
  workspace: string,
  method: Parameters<typeof callControl>[1],
  params: Record<string, unknown> = {},
  timeoutMs?: number,
): Promise<Call | undefined> {
  return askSupervisor(controlFileOf(workspace), method, params, timeoutMs);
}

function fail(io: CliIo, command: string, result: { code: string; message: string }, json: boolean): number {
  if (json)
    io.out(`${JSON.stringify({ ok: false, error: { code: result.code, message: result.message } })}\n`);
  io.err(`fleet ${command}: ${result.message} (${result.code})\n`);
  return 1;
}

export async function status(workspace: string, io: CliIo, json: boolean): Promise<number> {
  const result = await call(workspace, 'status');
  if (result && !result.ok && result.code !== 'E_CONTROL_UNREACHABLE')
    return fail(io, 'status', result, json);
  if (result?.ok) {
    const value = result.value as {
      state: { orchestrator_heartbeat?: string };
      panes: {
        id: string;
        agent: string;
        branch?: string;
        state: string;
        reason: string;
        /** What the agent last said through FleetAI's MCP server (`report_status`). */
        reported?: { state: string; summary: string; progress?: number };
      }[];
      pending_approvals: unknown[];
    };
    if (json) io.out(`${JSON.stringify({ running: true, ...value })}\n`);
    else {
      io.out(`supervisor running, heartbeat ${value.state.orchestrator_heartbeat ?? '-'}\n`);
      const metas = Object.values(
        (
          value.state as {
            panes: Record<
              string,
              {
                pane: string;
                phase: string;
                blockers: { kind: string; reason: string }[];
                queued_commands: unknown[];
              }
            >;
          }
        ).panes,
      );
      for (const pane of value.panes) {
        const meta = metas.find((m) => m.pane === pane.id);
        io.out(
          `${pane.id.padEnd(10)} ${pane.agent.padEnd(8)} ${(pane.branch ?? '-').padEnd(20)} ${pane.state.padEnd(18)} ${meta?.phase ?? ''}${meta?.blockers.length ? `  blocked: ${meta.blockers.map((b) => b.reason).join('; ')}` : ''}${meta?.queued_commands.length ? `  queued: ${meta.queued_commands.length}` : ''}${pane.reported ? `  reports: ${pane.reported.state}${pane.reported.progress !== undefined ? ` ${pane.reported.progress}%` : ''} "${pane.reported.summary}"` : ''}\n`,
        );
      }
      io.out(`pending approvals: ${value.pending_approvals.length}\n`);
    }
    return 0;
  }
  // No supervisor answers: the last saved state, said to be stale.
  const saved = await readSupervisorState(workspacePaths(workspace).stateDir).catch((error: unknown) => {
    io.err(`fleet status: ${describeError(error)}\n`);
    return undefined;
  });
  if (json)
    io.out(
      `${JSON.stringify({ running: false, ...(result && !result.ok ? { error: { code: result.code, message: result.message } } : {}), state: saved ?? null })}\n`,
    );
  else
    io.out(
      `no supervisor running for ${workspace}${saved?.orchestrator_heartbeat ? `; last heartbeat ${saved.orchestrator_heartbeat}` : ''}\n`,
    );
  return saved ? 0 : 1;
}

export async function send(
  workspace: string,
  pane: string,
  text: string,
  io: CliIo,
  json: boolean,
): Promise<number> {
  const result = await call(workspace, 'send', { pane, text });
  if (!result)
    return fail(
      io,
      'send',
      {
        code: 'E_CONTROL_UNREACHABLE',
        message: `no supervisor runs for ${workspace} (start one with fleet orchestrator)`,
      },
      json,
    );
  if (!result.ok) return fail(io, 'send', result, json);
  const value = result.value as { id: string; risk: string; requires_confirmation: boolean; result?: string };
  if (json) io.out(`${JSON.stringify({ ok: true, ...value })}\n`);
  else
    io.out(
      `queued ${value.id} for ${pane} (risk ${value.risk}${value.requires_confirmation ? ', waits for approval' : ''}${value.result ? `, ${value.result}` : ''})\n`,
    );
  return value.result === 'denied' ? 1 : 0;
}

export async function ask(
  workspace: string,
  pane: string,
  question: string,
  timeoutSeconds: number,
  io: CliIo,
  json: boolean,
): Promise<number> {
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    return fail(
      io,
      'ask',
      { code: 'E_USAGE', message: '--timeout must be a positive number of seconds' },
      json,
    );
  }
  const result = await call(
    workspace,
    'ask',
    { pane, question, timeoutSeconds },
    (timeoutSeconds + 10) * 1000,
  );
  if (!result)
    return fail(
      io,
      'ask',
      { code: 'E_CONTROL_UNREACHABLE', message: `no supervisor runs for ${workspace}` },
      json,
    );
  if (!result.ok) return fail(io, 'ask', result, json);
  const value = result.value as { answer: string; latencyMs: number };
  if (json) io.out(`${JSON.stringify({ ok: true, ...value })}\n`);
  else io.out(`${value.answer}\n`);
  return 0;
}

export async function listApprovals(workspace: string, io: CliIo, json: boolean): Promise<number> {
  const result = await call(workspace, 'approvals.list');
  let pending: {
    id: string;
    pane: string;
    risk: string;
    command?: string;
    kind: string;
    requestedAt?: string;
  }[];
  if (result?.ok) pending = result.value as typeof pending;
  else {
    const { openApprovalStore } = await import('../core/supervisor/storeApprovals');
    pending = await (await openApprovalStore(workspacePaths(workspace))).pending();
  }
  if (json) io.out(`${JSON.stringify(pending)}\n`);
  else if (pending.length === 0) io.out('no pending approvals\n');
  else for (const p of pending) io.out(`${p.id}  ${p.pane}  ${p.risk.padEnd(8)} ${p.command ?? p.kind}\n`);
  return 0;
}

export async function decideApproval(
  workspace: string,
  id: string,
  decision: 'approve' | 'approve_for_session' | 'deny',
  reason: string | undefined,
  io: CliIo,
  json: boolean,
): Promise<number> {
  const params = { id, decision, ...(reason ? { message: reason } : {}) };
  const result = await call(workspace, 'approvals.decide', params);
  let outcome: Call;
  if (result && (result.ok || result.code !== 'E_CONTROL_UNREACHABLE')) outcome = result;
  else {
    // No supervisor: decide in the store (exactly once); a supervisor applies it when it next sees the request.
    const { openApprovalStore } = await import('../core/supervisor/storeApprovals');
    const store = await openApprovalStore(workspacePaths(workspace));
    const decided = await store.decide(id, decision, { by: 'cli', ...(reason ? { message: reason } : {}) });
    outcome = decided.ok
      ? { ok: true, value: decided.record }
      : { ok: false, code: decided.error.code, message: decided.error.message };
  }
  if (!outcome.ok)
    return fail(io, decision === 'deny' ? 'approvals:deny' : 'approvals:approve', outcome, json);
  if (json) io.out(`${JSON.stringify({ ok: true, record: outcome.value })}\n`);
  else io.out(`${decision === 'deny' ? 'denied' : 'approved'} ${id}\n`);
  return 0;
}

export async function unblock(workspace: string, pane: string, io: CliIo): Promise<number> {
  const result = await call(workspace, 'unblock', { pane });
  if (!result)
    return fail(
      io,
      'unblock',
      { code: 'E_CONTROL_UNREACHABLE', message: `no supervisor runs for ${workspace}` },
      false,
    );
  if (!result.ok) return fail(io, 'unblock', result, false);
  io.out(`unblocked ${pane}\n`);
  return 0;
}
