import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { RiskSchema } from '../approvals/risk';
import { bilingual, McpError, McpErrorCode } from './mcpErrors';
import { lineColumn } from '../config/jsoncText';

/**
 * The MCP servers files (issue 7): `config/mcp.servers.json` shipped with FleetAI and the workspace's
 * `.fleetai/mcp.servers.json`, both `{ "servers": { "<alias>": { ... } } }`. A workspace entry replaces the
 * shipped entry of the same alias as a whole (merging field by field would let a shipped `env` leak into a
 * server the user configured differently).
 *
 * Each entry is checked on its own: a bad entry becomes a problem naming file, alias and field, and the other
 * aliases still load and connect. Secrets are referenced, never written in the file: `${env:NAME}` in `command`,
 * `args`, `env`, `cwd`, `url` or `headers` is replaced from the environment only when the bridge connects.
 */

export const MCP_SERVERS_FILE = 'mcp.servers.json';
/** Written into config/ for editors, like plan.schema.json. */
export const MCP_SERVERS_SCHEMA_FILE = 'mcp.servers.schema.json';

const Alias = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'an alias starts with a letter: letters, digits, _ . - (at most 64)',
  );
const ToolName = z.string().min(1).max(128);
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const Millis = z.number().int().positive().max(2_147_483_647);

/** `${env:NAME}`: the only way a servers file refers to a secret. */
const SECRET_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

const UrlText = z
  .string()
  .min(1)
  .refine((value) => value.includes('${env:') || URL.canParse(value), 'an absolute http(s) URL')
  .describe('The server address; may contain ${env:NAME}.');

const common = {
  description: z.string().optional().describe('What the server is for, for people.'),
  disabled: z
    .boolean()
    .default(false)
    .describe('Keep the entry but never connect (e.g. to switch off a shipped server).'),
  alwaysAllow: z
    .array(ToolName)
    .default([])
    .describe('Tools that may run without asking a person, whatever their risk.'),
  disabledTools: z.array(ToolName).default([]).describe('Tools FleetAI never calls on this server.'),
  toolRisk: z
    .record(ToolName, RiskSchema)
    .default({})
    .describe(
      'Risk label per tool; others get one from their annotations (read-only low, destructive high).',
    ),
  connectTimeoutMs: Millis.optional().describe(
    'How long connecting (and the MCP handshake) may take; default 30000.',
  ),
  callTimeoutMs: Millis.optional().describe('Default timeout of one tool call; default 60000.'),
};

const StdioServer = z
  .strictObject({
    type: z.literal('stdio').optional().describe('Optional when `command` is given.'),
    command: z.string().min(1).describe('The program that runs the server (found on PATH).'),
    args: z.array(z.string()).default([]),
    env: z
      .record(EnvName, z.string())
      .default({})
      .describe('Added to a minimal environment (HOME, PATH...); values may be ${env:NAME}.'),
    cwd: z.string().optional().describe('Working folder, relative to the workspace.'),
    ...common,
  })
  .describe('A server FleetAI starts as a child process and talks to over stdin/stdout.');

const HttpServer = z
  .strictObject({
    type: z.literal('http').optional().describe('Optional when `url` is given: Streamable HTTP.'),
    url: UrlText,
    headers: z.record(z.string().min(1), z.string()).default({}).describe('Values may be ${env:NAME}.'),
    ...common,
  })
  .describe('A server reached over Streamable HTTP.');

const SseServer = z
  .strictObject({
    type: z.literal('sse'),
    url: UrlText,
    headers: z.record(z.string().min(1), z.string()).default({}).describe('Values may be ${env:NAME}.'),
    ...common,
  })
  .describe('A server reached over the older HTTP+SSE transport.');

export const McpServersFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('For editors: the JSON Schema of this file.'),
    servers: z
      .record(Alias, z.union([StdioServer, HttpServer, SseServer]))
      .default({})
      .describe('MCP servers by alias; plans name them in mcp_tool nodes ("server").'),
  })
  .describe('FleetAI MCP servers (config/mcp.servers.json, .fleetai/mcp.servers.json).');

export type McpServerEntry =
  | ({ type: 'stdio' } & Omit<z.output<typeof StdioServer>, 'type'>)
  | ({ type: 'http' } & Omit<z.output<typeof HttpServer>, 'type'>)
  | ({ type: 'sse' } & Omit<z.output<typeof SseServer>, 'type'>);

/** One server as configured, with where it came from. */
export type McpServerConfig = McpServerEntry & { alias: string; file: string };

export interface McpConfigProblem {
  code: typeof McpErrorCode.Config;
  file: string;
  /** Missing when the whole file is unreadable. */
  alias?: string;
  /** Dotted path inside the entry, e.g. `headers.Authorization`. */
  field?: string;
  message: string;
}

export interface LoadedMcpConfig {
  servers: Map<string, McpServerConfig>;
  /** Aliases whose entry is wrong: using them fails with this problem rather than "unknown server". */
  broken: Map<string, McpConfigProblem>;
  problems: McpConfigProblem[];
  /** The files that were read, shipped first. */
  files: string[];
}

export function mcpServersJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(McpServersFileSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
  });
  return { $schema, title: 'FleetAI MCP servers', ...rest };
}

function problem(file: string, alias: string | undefined, field: string | undefined, en: string, zh: string) {
  const where = alias === undefined ? file : `${file}: server "${alias}"${field ? `, field "${field}"` : ''}`;
  const whereZh =
    alias === undefined ? file : `${file}：服务器 "${alias}"${field ? `，字段 "${field}"` : ''}`;
  return {
    code: McpErrorCode.Config,
    file,
    ...(alias === undefined ? {} : { alias }),
    ...(field === undefined ? {} : { field }),
    message: `${McpErrorCode.Config}: ${bilingual(`${where}: ${en}`, `${whereZh}：${zh}`)}`,
  } satisfies McpConfigProblem;
}

/** Picks the entry's transport the way people write it: `type`, else `command` means stdio and `url` HTTP. */
function variantOf(entry: Record<string, unknown>) {
  const type = entry.type ?? ('command' in entry ? 'stdio' : 'url' in entry ? 'http' : undefined);
  if (type === 'stdio') return { type, schema: StdioServer } as const;
  if (type === 'http') return { type, schema: HttpServer } as const;
  if (type === 'sse') return { type, schema: SseServer } as const;
  return undefined;
}

/** Checks one servers file's text; `file` only names it in problems. */
export function parseMcpServers(
  file: string,
  raw: string,
): { servers: McpServerConfig[]; problems: McpConfigProblem[] } {
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  const errors: ParseError[] = [];
  const data = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  const first = errors[0];
  if (first) {
    const what = printParseErrorCode(first.error);
    return {
      servers: [],
      problems: [
        problem(
          `${file}:${lineColumn(text, first.offset)}`,
          undefined,
          undefined,
          `not valid JSON (${what})`,
          `不是有效的 JSON（${what}）`,
        ),
      ],
    };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return {
      servers: [],
      problems: [problem(file, undefined, undefined, 'not a JSON object', '不是 JSON 对象')],
    };
  const top = data as Record<string, unknown>;
  const problems: McpConfigProblem[] = [];
  for (const key of Object.keys(top)) {
    if (key !== '$schema' && key !== 'servers')
      problems.push(
        problem(
          file,
          undefined,
          undefined,
          `unknown key "${key}" (expected "servers")`,
          `未知的键 "${key}"（应为 "servers"）`,
        ),
      );
  }
  const servers: McpServerConfig[] = [];
  const entries = top.servers ?? {};
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    problems.push(
      problem(
        file,
        undefined,
        'servers',
        '"servers" must be an object of aliases',
        '"servers" 必须是以别名为键的对象',
      ),
    );
    return { servers, problems };
  }
  for (const [alias, entry] of Object.entries(entries as Record<string, unknown>)) {
    const aliasCheck = Alias.safeParse(alias);
    if (!aliasCheck.success) {
      const reason = aliasCheck.error.issues[0]?.message ?? 'invalid alias';
      problems.push(problem(file, alias, undefined, `bad alias: ${reason}`, `别名无效：${reason}`));
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(problem(file, alias, undefined, 'the entry must be an object', '条目必须是对象'));
      continue;
    }
    const variant = variantOf(entry as Record<string, unknown>);
    if (!variant) {
      const type = (entry as Record<string, unknown>).type;
      problems.push(
        type === undefined
          ? problem(
              file,
              alias,
              'command',
              'needs "command" (stdio) or "url" (HTTP)',
              '需要 "command"（stdio）或 "url"（HTTP）',
            )
          : problem(
              file,
              alias,
              'type',
              `unknown type ${JSON.stringify(type)} (stdio, http or sse)`,
              `未知类型 ${JSON.stringify(type)}（应为 stdio、http 或 sse）`,
            ),
      );
      continue;
    }
    const parsed = variant.schema.safeParse(entry);
    if (!parsed.success) {
      // One problem per entry: the first issue is where the entry went wrong, and the alias stays unusable.
      const issue = parsed.error.issues[0]!;
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const field = [...issue.path.map(String), ...keys.slice(0, 1)].join('.') || undefined;
      problems.push(problem(file, alias, field, issue.message, `字段无效（${issue.message}）`));
      continue;
    }
    servers.push({ ...parsed.data, type: variant.type, alias, file } as McpServerConfig);
  }
  return { servers, problems };
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads the shipped file, then the workspace's; a missing file is no problem (the workspace one usually is). */
export async function loadMcpConfig(options: {
  workspace: string;
  shippedConfig?: string;
}): Promise<LoadedMcpConfig> {
  const files = [
    ...(options.shippedConfig ? [path.resolve(options.shippedConfig)] : []),
    path.join(path.resolve(options.workspace), '.fleetai', MCP_SERVERS_FILE),
  ];
  const loaded: LoadedMcpConfig = { servers: new Map(), broken: new Map(), problems: [], files: [] };
  for (const file of files) {
    let text: string | undefined;
    try {
      text = await readIfPresent(file);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      loaded.problems.push(
        problem(file, undefined, undefined, `cannot read it (${reason})`, `无法读取（${reason}）`),
      );
      continue;
    }
    if (text === undefined) continue;
    loaded.files.push(file);
    const { servers, problems } = parseMcpServers(file, text);
    loaded.problems.push(...problems);
    for (const found of problems) {
      if (found.alias === undefined) continue;
      loaded.broken.set(found.alias, found);
      loaded.servers.delete(found.alias);
    }
    for (const server of servers) {
      loaded.servers.set(server.alias, server);
      loaded.broken.delete(server.alias);
    }
  }
  return loaded;
}

/** Where a secret reference was resolved: what the bridge must never show in clear. */
export interface ResolvedServer {
  server: McpServerConfig;
  /** Values that came from `${env:...}`, header values and env values: redacted from every message and log. */
  secrets: string[];
}

/**
 * Replaces `${env:NAME}` everywhere in the entry. A reference to a variable that is not set fails with the
 * alias, the field and the variable's name (never a value).
 */
export function resolveSecrets(server: McpServerConfig, env: NodeJS.ProcessEnv): ResolvedServer {
  const secrets = new Set<string>();
  const fill = (value: string, field: string): string =>
    value.replace(SECRET_REFERENCE, (_match, name: string) => {
      const found = env[name];
      if (found === undefined || found === '')
        throw new McpError(
          McpErrorCode.Config,
          `${McpErrorCode.Config}: ${bilingual(
            `server "${server.alias}" (${server.file}), field "${field}": environment variable ${name} is not set`,
            `服务器 "${server.alias}"（${server.file}）的字段 "${field}"：环境变量 ${name} 未设置`,
          )}`,
          { alias: server.alias, file: server.file, field },
        );
      secrets.add(found);
      return found;
    });
  const fillRecord = (record: Record<string, string>, field: string, secret: boolean) =>
    Object.fromEntries(
      Object.entries(record).map(([key, value]) => {
        const filled = fill(value, `${field}.${key}`);
        if (secret) secrets.add(filled);
        return [key, filled];
      }),
    );
  let resolved: McpServerConfig;
  if (server.type === 'stdio') {
    resolved = {
      ...server,
      command: fill(server.command, 'command'),
      args: server.args.map((arg, index) => fill(arg, `args.${index}`)),
      env: fillRecord(server.env, 'env', true),
      ...(server.cwd === undefined ? {} : { cwd: fill(server.cwd, 'cwd') }),
    };
  } else {
    resolved = {
      ...server,
      url: fill(server.url, 'url'),
      headers: fillRecord(server.headers, 'headers', true),
    };
    if (!URL.canParse(resolved.url))
      throw new McpError(
        McpErrorCode.Config,
        `${McpErrorCode.Config}: ${bilingual(
          `server "${server.alias}" (${server.file}), field "url": not an absolute URL once filled in`,
          `服务器 "${server.alias}"（${server.file}）的字段 "url"：填入变量后不是绝对 URL`,
        )}`,
        { alias: server.alias, file: server.file, field: 'url' },
      );
  }
  // Very short values ("1", "on") would blank out ordinary words in messages; they are not credentials.
  return { server: resolved, secrets: [...secrets].filter((s) => s.length >= 4) };
}

/** Hides every secret in a text that may reach a log, an error or a person. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first: a header value ("Bearer <token>") hides whole rather than leaving "Bearer ***".
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}
