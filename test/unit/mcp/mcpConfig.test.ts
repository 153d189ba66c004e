import Ajv from 'ajv';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadMcpConfig,
  MCP_SERVERS_SCHEMA_FILE,
  mcpServersJsonSchema,
  parseMcpServers,
  redact,
  resolveSecrets,
} from '../../../extension/core/mcp/mcpConfig';
import { McpErrorCode, type McpError } from '../../../extension/core/mcp/mcpErrors';
import { caught, repoRoot, useTempDirs } from '../helpers';
import { writeWorkspaceServers } from './mcpFixtures';

const tempDir = useTempDirs();
const schemaFile = path.join(repoRoot, 'config', MCP_SERVERS_SCHEMA_FILE);
const shippedFile = path.join(repoRoot, 'config', 'mcp.servers.json');

describe('mcp.servers.json entries', () => {
  it('infers the transport: command is stdio, url is Streamable HTTP, type sse is the older SSE', () => {
    const { servers, problems } = parseMcpServers(
      'f.json',
      JSON.stringify({
        servers: {
          local: { command: 'node', args: ['server.js'] },
          remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${env:TOKEN}' } },
          old: { type: 'sse', url: 'http://127.0.0.1:3001/sse' },
        },
      }),
    );
    expect(problems).toEqual([]);
    expect(servers.map((s) => [s.alias, s.type])).toEqual([
      ['local', 'stdio'],
      ['remote', 'http'],
      ['old', 'sse'],
    ]);
    expect(servers[0]).toMatchObject({
      env: {},
      alwaysAllow: [],
      disabledTools: [],
      disabled: false,
      file: 'f.json',
    });
  });

  it('reports each bad entry with file, alias and field, and keeps the good ones', () => {
    const { servers, problems } = parseMcpServers(
      'ws/.fleetai/mcp.servers.json',
      JSON.stringify({
        servers: {
          good: { command: 'node' },
          typo: { command: 'node', agrs: [] },
          wrongType: { command: 'node', env: { TOKEN: 42 } },
          nothing: { description: 'no way to reach it' },
          weird: { type: 'websocket', url: 'ws://x' },
          badUrl: { url: 'not a url' },
          badRisk: { command: 'node', toolRisk: { rm: 'extreme' } },
        },
      }),
    );
    expect(servers.map((s) => s.alias)).toEqual(['good']);
    expect(problems.map((p) => [p.alias, p.field])).toEqual([
      ['typo', 'agrs'],
      ['wrongType', 'env.TOKEN'],
      ['nothing', 'command'],
      ['weird', 'type'],
      ['badUrl', 'url'],
      ['badRisk', 'toolRisk.rm'],
    ]);
    for (const problem of problems) {
      expect(problem.code).toBe(McpErrorCode.Config);
      expect(problem.message).toContain(
        `ws/.fleetai/mcp.servers.json: server "${problem.alias}", field "${problem.field}"`,
      );
      expect(problem.message).toContain(`服务器 "${problem.alias}"`);
    }
  });

  it('reports a file that is not JSON with line and column, and accepts comments', () => {
    const bad = parseMcpServers('m.json', '{\n  "servers": {\n    "a": { "command": "node" ,, }\n  }\n}');
    expect(bad.servers).toEqual([]);
    expect(bad.problems[0]?.message).toMatch(/m\.json:3:\d+: not valid JSON/);
    const commented = parseMcpServers('m.json', '{ // shipped\n "servers": { "a": { "command": "node" } } }');
    expect(commented.problems).toEqual([]);
    expect(commented.servers).toHaveLength(1);
  });

  it('lets the workspace replace a shipped alias as a whole, and a broken workspace entry hides the shipped one', async () => {
    const dir = tempDir();
    const shipped = path.join(dir, 'shipped.json');
    writeFileSync(
      shipped,
      JSON.stringify({
        servers: {
          a: { command: 'shipped-a', env: { X: '1' } },
          b: { command: 'shipped-b' },
          c: { command: 'c' },
        },
      }),
    );
    const workspace = path.join(dir, 'ws');
    mkdirSync(workspace);
    writeWorkspaceServers(workspace, { a: { url: 'http://127.0.0.1:9/mcp' }, b: { command: 1 } });
    const loaded = await loadMcpConfig({ workspace, shippedConfig: shipped });
    expect(loaded.files).toHaveLength(2);
    expect(loaded.servers.get('a')).toMatchObject({ type: 'http', url: 'http://127.0.0.1:9/mcp' });
    expect(loaded.servers.get('a')).not.toHaveProperty('env');
    expect(loaded.servers.has('b')).toBe(false);
    expect(loaded.broken.get('b')?.field).toBe('command');
    expect(loaded.servers.get('c')?.type).toBe('stdio');
  });

  it('resolves ${env:NAME} at connect time, names the field of a missing variable, and redacts the values', async () => {
    const { servers } = parseMcpServers(
      'f.json',
      JSON.stringify({
        servers: {
          gh: { url: 'https://${env:MCP_HOST}/mcp', headers: { Authorization: 'Bearer ${env:GH_TOKEN}' } },
        },
      }),
    );
    const server = servers[0]!;
    const { server: resolved, secrets } = resolveSecrets(server, {
      MCP_HOST: 'mcp.example.com',
      GH_TOKEN: 'ghp_secret',
    });
    expect(resolved).toMatchObject({
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer ghp_secret' },
    });
    expect(redact('sent Bearer ghp_secret to mcp', secrets)).toBe('sent *** to mcp');
    const error = (await caught(() => resolveSecrets(server, { MCP_HOST: 'h' }))) as McpError;
    expect(error.code).toBe(McpErrorCode.Config);
    expect(error.details).toMatchObject({ alias: 'gh', field: 'headers.Authorization' });
    expect(error.message).toContain('environment variable GH_TOKEN is not set');
    expect(error.message).toContain('环境变量 GH_TOKEN 未设置');
  });
});

describe('config/mcp.servers.schema.json and config/mcp.servers.json', () => {
  it('the schema equals the one generated from the zod schema', () => {
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(mcpServersJsonSchema());
  });

  it('the schema accepts the shipped file and what zod accepts, and refuses an unknown key', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const check = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
    const shipped = JSON.parse(readFileSync(shippedFile, 'utf8')) as unknown;
    expect(check(shipped), JSON.stringify(check.errors)).toBe(true);
    expect(parseMcpServers(shippedFile, readFileSync(shippedFile, 'utf8')).problems).toEqual([]);
    const example = {
      servers: {
        everything: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-everything'],
          alwaysAllow: ['echo'],
        },
        remote: { url: 'http://127.0.0.1:3001/mcp', toolRisk: { 'get-env': 'high' } },
      },
    };
    expect(check(example), JSON.stringify(check.errors)).toBe(true);
    expect(parseMcpServers('x', JSON.stringify(example)).problems).toEqual([]);
    const typo = { servers: { a: { command: 'node', agrs: [] } } };
    expect(check(typo)).toBe(false);
    expect(parseMcpServers('x', JSON.stringify(typo)).problems).toHaveLength(1);
  });
});
