import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { REPORTED_STATES } from '../control/controlProtocol';
import type { Logger } from '../observability/appLog';
import { fleetVersion } from '../version';
import type { SupervisorCall, SupervisorMethod } from './supervisorLink';

export interface FleetMcpServerOptions {
  call: SupervisorCall;
  /** The pane the agent runs in (`--pane`, `FLEETAI_PANE_ID`); reports are attributed to it. */
  pane?: string;
  /** The application log of the workspace: every tool call is logged there, whether a supervisor answers. */
  log?: Pick<Logger, 'log'>;
}

const CATEGORY = 'mcp-server';
/** Time to talk to the supervisor besides the wait for a decision. */
const CONTROL_SLACK_MS = 10_000;

const text = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
});
const failure = (message: string): CallToolResult => ({ ...text(message), isError: true });

/**
 * FleetAI's own MCP server (issue 7 point 4): the tools an agent uses to tell FleetAI what it does and to ask for
 * a decision through a structured channel instead of its screen. Each tool is one request to the workspace's
 * supervisor; when none runs, the tool answers with an error result saying so (the agent goes on, nothing
 * crashes).
 */
export function createFleetMcpServer(options: FleetMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'fleetai', title: 'FleetAI', version: fleetVersion },
    {
      instructions:
        'FleetAI supervises this agent. Call report_status when you start, finish, get blocked or need input; ' +
        'call request_approval before a risky action (deleting data, deploying, pushing, spending money) and ' +
        'follow the decision; get_task tells you what FleetAI assigned you.',
    },
  );

  const ask = async (
    tool: string,
    method: SupervisorMethod,
    params: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<CallToolResult> => {
    const started = Date.now();
    const answer = await options.call(method, params, timeoutMs);
    options.log?.log(answer.ok ? 'info' : 'warn', CATEGORY, `mcp.${tool}`, {
      ...params,
      ms: Date.now() - started,
      ...(answer.ok ? {} : { code: answer.code, error: answer.message }),
    });
    return answer.ok ? text(answer.value) : failure(`FleetAI: ${answer.message} (${answer.code})`);
  };
  const withPane = (
    tool: string,
    run: (pane: string) => Promise<CallToolResult>,
  ): Promise<CallToolResult> => {
    if (options.pane) return run(options.pane);
    options.log?.log('warn', CATEGORY, `mcp.${tool}`, { code: 'E_NO_PANE' });
    return Promise.resolve(
      failure(
        'FleetAI: this MCP server does not know which pane the agent runs in; start it with --pane ID or ' +
          'the environment variable FLEETAI_PANE_ID (E_NO_PANE)',
      ),
    );
  };

  server.registerTool(
    'report_status',
    {
      title: 'Report status to FleetAI',
      description:
        'Tell FleetAI, which supervises you, what you are doing: working, blocked, done or needs_input, with a ' +
        'one-line summary and optionally a percentage. Shown on your pane in FleetAI and recorded in its log.',
      inputSchema: {
        state: z.enum(REPORTED_STATES).describe('working | blocked | done | needs_input'),
        summary: z.string().min(1).max(2000).describe('What you are doing, or what blocks you, in one line'),
        progress: z.number().min(0).max(100).optional().describe('Percent done, 0-100'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    (args) => withPane('report_status', (pane) => ask('report_status', 'pane.report', { pane, ...args })),
  );

  server.registerTool(
    'request_approval',
    {
      title: 'Ask FleetAI for approval',
      description:
        'Ask a human, through FleetAI, to approve an action before you take it. Waits for the decision (up to ' +
        'timeoutSeconds, default 600) and returns it: approve, approve_for_session, deny, cancel, or expired ' +
        'when nobody answered in time. Only go ahead on approve or approve_for_session.',
      inputSchema: {
        action: z.string().min(1).max(2000).describe('The action or command you want to take'),
        reason: z.string().min(1).max(2000).describe('Why it is needed'),
        risk: z.enum(['low', 'medium', 'high', 'critical']).optional().describe('Your estimate of the risk'),
        timeoutSeconds: z
          .number()
          .positive()
          .max(3600)
          .optional()
          .describe('How long to wait for a decision (default 600)'),
      },
      // Closed world: it only talks to FleetAI. Codex 0.169 asks its own permission for open-world tool calls,
      // which would put a prompt on the screen in front of the very question this tool asks through FleetAI.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    (args, extra) =>
      withPane('request_approval', async (pane) => {
        // The agent may stop waiting (Esc in Codex, its tool timeout): the request is withdrawn then, so nobody
        // approves an action its agent no longer waits to take.
        const key = randomUUID();
        const withdraw = (): void =>
          void options.call('approvals.withdraw', { key }).then((answer) =>
            options.log?.log('info', CATEGORY, 'mcp.request_approval.withdrawn', {
              pane,
              action: args.action,
              ...(answer.ok ? {} : { code: answer.code }),
            }),
          );
        extra.signal.addEventListener('abort', withdraw, { once: true });
        try {
          return await ask(
            'request_approval',
            'approvals.request',
            { pane, key, ...args },
            (args.timeoutSeconds ?? 600) * 1000 + CONTROL_SLACK_MS,
          );
        } finally {
          extra.signal.removeEventListener('abort', withdraw);
        }
      }),
  );

  server.registerTool(
    'get_task',
    {
      title: 'Get my task from FleetAI',
      description:
        'The task FleetAI assigned to your pane: title, prompt, acceptance criteria, phase and unfinished ' +
        'dependencies (task is null when none is assigned).',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => withPane('get_task', (pane) => ask('get_task', 'pane.task', { pane })),
  );

  server.registerTool(
    'list_tasks',
    {
      title: 'List the fleet tasks',
      description:
        "All tasks of the workspace's fleet with their phase, pane, branch, owner and dependencies.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => ask('list_tasks', 'tasks.list', {}),
  );

  server.registerTool(
    'add_note',
    {
      title: 'Add a note to my pane',
      description:
        "Append a note to your pane's history in FleetAI (a decision you made, something a human should know).",
      inputSchema: { text: z.string().min(1).max(4000).describe('The note') },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    (args) => withPane('add_note', (pane) => ask('add_note', 'pane.note', { pane, text: args.text })),
  );

  return server;
}
