import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/appLog';

export interface McpHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Loopback only: the token guards against other local users' programs, not against the network. */
const HOST = '127.0.0.1';
const PANE_HEADER = 'x-fleetai-pane';

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `fleet mcp-server --http`: FleetAI's MCP server over Streamable HTTP at `http://127.0.0.1:PORT/mcp`, for agents
 * configured with a URL. Stateless (a server per request), so many agents share one process; each says which
 * pane it is with the `X-FleetAI-Pane` header or `?pane=ID`, else the `--pane` default applies. Every request
 * needs `Authorization: Bearer <token>`; 401 without it.
 */
export async function startMcpHttpServer(options: {
  token: string;
  port?: number;
  defaultPane?: string;
  serverFor(pane: string | undefined): McpServer;
  log?: Pick<Logger, 'log'>;
}): Promise<McpHttpServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    if (url.pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found; use /mcp"}');
      return;
    }
    if (!tokenMatches(req.headers.authorization, options.token)) {
      options.log?.log('warn', 'mcp-server', 'mcp.http.unauthorized', { remote: req.socket.remoteAddress });
      res
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="fleetai"' })
        .end('{"error":"missing or wrong bearer token"}');
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const header = req.headers[PANE_HEADER];
    const pane =
      (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('pane') ?? options.defaultPane;
    const mcp = options.serverFor(pane || undefined);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch((error: unknown) => {
        options.log?.log('error', 'mcp-server', 'mcp.http.failed', { error: String(error) });
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/mcp`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
