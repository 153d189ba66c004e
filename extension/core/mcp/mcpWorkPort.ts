import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Risk } from '../approvals/risk';
import type { McpWorkPort, WorkResult } from '../plans/executor/workPorts';
import type { PlanNodeOf } from '../plans/planSchema';
import type { Logger } from '../observability/appLog';
import { writeJsonAtomic } from '../store/jsonStore';
import { DEFAULT_CALL_TIMEOUT_MS, type McpBridge } from './mcpBridge';
import { bilingual, isMcpError, McpErrorCode } from './mcpErrors';

/**
 * The executor's `mcp_tool` port. A crashed run re-runs the interrupted node with the same `key`, and an MCP tool
 * may have effects outside FleetAI (a ticket filed, a message sent), so every call is journaled:
 * `{started}` is on disk before the call, `{result}` after. On the same key again:
 * - a result is there: it is returned without calling the tool a second time;
 * - only `started` is there (the process died during the call): the tool runs again only if the server says it
 *   is read-only or idempotent (annotations `readOnlyHint` / `idempotentHint`); otherwise the node fails with a
 *   reason saying it may have run and a person must check.
 */

/** What a node's output is (read by conditions as `$.nodes.<id>.output`). */
export interface McpToolOutput {
  content: CallToolResult['content'];
  structuredContent?: Record<string, unknown>;
  isError: boolean;
}

export interface McpJournalEntry {
  key: string;
  server: string;
  tool: string;
  started: string;
  finished?: string;
  result?: WorkResult;
  /** The call ended without an answer (timeout, abort, connection lost): the tool may or may not have run. */
  unknownOutcome?: string;
}

export interface McpWorkPortOptions {
  /** One `<key>.json` per call, e.g. `<workspace>/.fleetai/state/plans/<id>/runs/<run>/mcp/`. */
  journalDir: string;
  log?: Logger;
}

/** A file name for any key: keys hold `/` and `#`; long ones are shortened with a hash so they stay unique. */
export function journalFileName(key: string): string {
  const safe = encodeURIComponent(key).replace(/\*/g, '%2A');
  if (safe.length <= 150) return `${safe}.json`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${safe.slice(0, 120)}~${hash}.json`;
}

/** Text of the content blocks, for the node's error when the tool answered `isError`. */
export function contentText(content: CallToolResult['content']): string {
  return content
    .map((block) => {
      if (block.type === 'text') return block.text;
      if (block.type === 'resource_link') return `[resource ${block.uri}]`;
      if (block.type === 'resource') return `[resource ${block.resource.uri}]`;
      return `[${block.type}${'mimeType' in block ? ` ${block.mimeType}` : ''}]`;
    })
    .join('\n');
}

export function toWorkResult(result: CallToolResult): WorkResult {
  const output: McpToolOutput = {
    content: result.content,
    ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
    isError: result.isError === true,
  };
  if (!output.isError) return { ok: true, output };
  return {
    ok: false,
    error: contentText(result.content) || 'the tool reported an error / 工具报告了错误',
    output,
  };
}

async function readJournal(file: string): Promise<McpJournalEntry | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as McpJournalEntry;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How risky an `mcp_tool` node is, for the executor's approval gate (as commands are rated by the risk rules): the
 * tool's `toolRisk` label or its annotations, and whether the server's `alwaysAllow` lets it run unasked.
 */
export interface McpToolRating {
  risk: Risk;
  alwaysAllow: boolean;
  readOnly: boolean;
  idempotent: boolean;
}

export interface McpPlanPort extends McpWorkPort {
  /** Undefined when the tool cannot be looked up (the call itself will then fail with the reason). */
  rate(node: PlanNodeOf<'mcp_tool'>): Promise<McpToolRating | undefined>;
}

/**
 * How long a node waits for its server to be connected: its own timeout (the signal also ends the wait), else
 * the server's call timeout, else the bridge's default. A plan thereby rides out a restart of its server.
 */
export function connectionWaitMs(bridge: McpBridge, node: PlanNodeOf<'mcp_tool'>): number {
  if (node.timeoutSeconds !== undefined) return node.timeoutSeconds * 1000;
  return bridge.config.servers.get(node.server)?.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
}

export function mcpWorkPort(bridge: McpBridge, options: McpWorkPortOptions): McpPlanPort {
  return {
    async rate(node) {
      try {
        // Rated from the server's listing, so a server restarting is waited for here too.
        const tool = await bridge.requireTool(node.server, node.tool, {
          waitForConnectionMs: connectionWaitMs(bridge, node),
        });
        return {
          risk: tool.risk,
          alwaysAllow: tool.alwaysAllow,
          readOnly: tool.annotations?.readOnlyHint === true,
          idempotent: tool.annotations?.idempotentHint === true,
        };
      } catch (error) {
        const server = bridge.config.servers.get(node.server);
        const transient =
          isMcpError(error) &&
          (error.code === McpErrorCode.Disconnected || error.code === McpErrorCode.Connect);
        // The call itself waits for the server again and may then run: a tool that could not be looked up is
        // rated by its config alone, high unless labelled, so a risky tool is never run unasked.
        if (transient && server)
          return {
            risk: server.toolRisk[node.tool] ?? 'high',
            alwaysAllow: server.alwaysAllow.includes(node.tool),
            readOnly: false,
            idempotent: false,
          };
        return undefined;
      }
    },
    async callTool(node, key, context): Promise<WorkResult> {
      const file = path.join(options.journalDir, journalFileName(key));
      const where = { key, server: node.server, tool: node.tool };
      let journal: McpJournalEntry | undefined;
      try {
        journal = await readJournal(file);
      } catch (error) {
        return {
          ok: false,
          error: bilingual(
            `cannot read the MCP call journal ${file}: ${message(error)}`,
            `无法读取 MCP 调用日志 ${file}：${message(error)}`,
          ),
        };
      }
      if (journal?.result) {
        options.log?.info('mcp', 'journal_replayed', where);
        return journal.result;
      }
      try {
        // Unknown server, unknown or disabled tool, server down past the wait: nothing ran, so nothing is journaled.
        const tool = await bridge.requireTool(node.server, node.tool, {
          waitForConnectionMs: connectionWaitMs(bridge, node),
          signal: context.signal,
        });
        if (journal) {
          const safe = tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true;
          if (!safe) {
            options.log?.warn('mcp', 'journal_may_have_run', where);
            return {
              ok: false,
              error:
                `${McpErrorCode.MayHaveRun}: ` +
                bilingual(
                  `tool "${node.tool}" of MCP server "${node.server}" was started at ${journal.started} and FleetAI stopped before its answer; it may have run, and it is neither read-only nor idempotent, so it is not run again: a person must check (journal ${file})`,
                  `MCP 服务器 "${node.server}" 的工具 "${node.tool}" 于 ${journal.started} 开始调用，FleetAI 在收到结果前停止；它可能已经执行，且既非只读也非幂等，因此不会重新执行：需要人工检查（日志 ${file}）`,
                ),
            };
          }
          options.log?.info('mcp', 'journal_rerun_safe_tool', where);
        }
      } catch (error) {
        return { ok: false, error: message(error) };
      }
      const started = new Date().toISOString();
      try {
        await writeJsonAtomic(file, { ...where, started } satisfies McpJournalEntry);
      } catch (error) {
        // Without the journal a crash could repeat the call unnoticed: better not to call at all.
        return { ok: false, error: message(error) };
      }
      let entry: McpJournalEntry;
      let outcome: WorkResult;
      try {
        const result = await bridge.callTool(node.server, node.tool, node.arguments, {
          signal: context.signal,
          waitForConnectionMs: connectionWaitMs(bridge, node),
          ...(node.timeoutSeconds === undefined ? {} : { timeoutMs: node.timeoutSeconds * 1000 }),
        });
        outcome = toWorkResult(result);
        entry = { ...where, started, finished: new Date().toISOString(), result: outcome };
      } catch (error) {
        outcome = { ok: false, error: message(error) };
        const definite = isMcpError(error) && error.details.outcome === 'failed';
        entry = definite
          ? { ...where, started, finished: new Date().toISOString(), result: outcome }
          : { ...where, started, unknownOutcome: message(error) };
      }
      try {
        await writeJsonAtomic(file, entry);
      } catch (error) {
        options.log?.error('mcp', 'journal_write_failed', { ...where, error: message(error) });
      }
      return outcome;
    },
  };
}
