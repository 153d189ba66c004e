import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { ErrorCode, FleetError, describeError } from '../errors';
import {
  checkListenAddress,
  isLoopback,
  listenHttp,
  type ListenerIdentity,
  type ListeningServer,
} from '../net/httpListener';
import type { Logger } from '../observability/appLog';
import type { RemoteRequest, RemoteResponse, RemoteRoute } from './routes';
import { UNAUTHORIZED_CSP, unauthorizedPage } from './portalPage';

const CATEGORY = 'remote';
/** Bodies are small JSON answers or chat callbacks: anything bigger is refused before it is read whole. */
export const MAX_BODY_BYTES = 64 * 1024;
export const PORTAL_COOKIE = 'fleetai_portal';

export interface RemoteServerOptions {
  host: string;
  /** 0 asks the system for a free port (tests); in the config, 0 means "no portal" and never gets here. */
  port: number;
  /** Where the settings came from, named in errors ("/w/.fleetai/orchestrator.json" or "--portal-port"). */
  origin: string;
  /** The portal token (extension/core/remote/portalToken.ts). */
  token: string;
  routes: RemoteRoute[];
  log: Logger;
  /** `portal.public_url`: a POST whose Origin is this one is the portal's own page behind a proxy. */
  publicUrl?: string;
  maxBodyBytes?: number;
}

/** The remote server as it listens; `url` is without the token. */
export type RemoteServer = ListeningServer;

/**
 * The remote server: the approval portal's page and API (`auth: 'token'`) and the chat callbacks
 * (`auth: 'signature'`, which prove their caller themselves). A token route runs only for a request carrying the
 * portal token (`Authorization: Bearer`, or the cookie set by opening `/?token=...`); its POSTs must be JSON and,
 * when the browser names an Origin, come from this same site, so another page cannot post on a user's cookie.
 * Path segments written `:name` in a route match any one segment (the handler reads it from the path).
 */
export async function startRemoteServer(options: RemoteServerOptions): Promise<RemoteServer> {
  const { host, port, origin, log } = options;
  const id: ListenerIdentity = {
    what: 'the approval portal',
    portField: 'portal.port',
    hostField: 'portal.host',
    origin,
    code: ErrorCode.PortalListen,
    inUseHint: 'another FleetAI window or program; set another portal.port, or 0 to turn the portal off',
  };
  checkListenAddress(host, port, id);
  if (options.token.length < 16) {
    throw new FleetError(ErrorCode.ConfigInvalid, `${origin}: the portal token is too short`, {
      field: 'portal.token_env',
    });
  }
  if (!isLoopback(host)) {
    log.warn(CATEGORY, 'portal.non_loopback', {
      host,
      port,
      hint: 'anyone who can reach this address can try the token; prefer 127.0.0.1 behind a TLS tunnel or reverse proxy',
    });
  }
  const expected = digest(options.token);
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const publicOrigin = options.publicUrl ? safeOrigin(options.publicUrl) : undefined;

  const server = http.createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      log.error(CATEGORY, 'remote.request.failed', { error: describeError(error) });
      if (!res.headersSent)
        send(res, json(500, ErrorCode.Internal, 'The request failed; see the FleetAI log'));
      else res.destroy();
    });
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://portal.invalid');
    const method = req.method ?? 'GET';
    const peer = req.socket.remoteAddress;
    const candidates = options.routes.filter((r) => pathMatches(r.path, url.pathname));
    const route = candidates.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
    const channel = route ? channelOf(route) : 'portal';
    const answer = (response: RemoteResponse, decision: string): void => {
      // An open page reads its status every few seconds: those reads go to the debug level, all else to info.
      const routine = method !== 'POST' && response.status < 300 && decision === 'handled';
      log[routine ? 'debug' : 'info'](CATEGORY, 'remote.request', {
        channel,
        peer,
        method,
        path: url.pathname,
        status: response.status,
        decision,
      });
      send(res, response, method === 'HEAD');
    };

    if (!route) {
      req.resume();
      if (candidates.length > 0) {
        const allow = [...new Set(candidates.map((r) => r.method))].join(', ');
        answer(
          { ...json(405, ErrorCode.PortalRequest, `${method} is not allowed here`), headers: { allow } },
          'method',
        );
      } else answer(json(404, ErrorCode.PortalRequest, `Nothing at ${url.pathname}`), 'not_found');
      return;
    }

    if (route.auth === 'token') {
      // The link with the token: set the cookie, then send the browser to the same place without it, so the
      // token leaves the address bar and the history.
      const queryToken = url.searchParams.get('token');
      if (method === 'GET' && queryToken !== null) {
        req.resume();
        if (!tokenMatches(queryToken, expected)) {
          answer(unauthorized(req, 'wrong'), 'refused_wrong_token');
          return;
        }
        const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
        const rest = new URLSearchParams(url.searchParams);
        rest.delete('token');
        // Relative, like the page's own requests: behind a proxy that serves the portal under a path prefix
        // (code-server's /proxy/8787/, a sub-path on a reverse proxy) the browser stays under that prefix.
        const location = `${url.pathname.split('/').pop() || './'}${rest.size > 0 ? `?${rest.toString()}` : ''}`;
        answer(
          {
            status: 303,
            headers: {
              location,
              'set-cookie': `${PORTAL_COOKIE}=${encodeURIComponent(queryToken)}; HttpOnly; SameSite=Strict; Path=/${secure}`,
            },
          },
          'cookie_set',
        );
        return;
      }
      const presented = presentedToken(req);
      if (presented === undefined || !tokenMatches(presented, expected)) {
        req.resume();
        answer(
          unauthorized(req, presented === undefined ? 'missing' : 'wrong'),
          presented ? 'refused_wrong_token' : 'refused_no_token',
        );
        return;
      }
      if (method === 'POST') {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') {
          req.resume();
          answer(
            json(415, ErrorCode.PortalRequest, 'The portal API takes application/json'),
            'refused_content_type',
          );
          return;
        }
        const from = req.headers.origin;
        if (from !== undefined && !sameSite(from, req.headers.host, publicOrigin)) {
          req.resume();
          answer(
            json(403, ErrorCode.PortalRequest, `A post from ${from} is not the portal's own page`),
            'refused_cross_origin',
          );
          return;
        }
      }
    }

    const body = await readBody(req, maxBody);
    if (body === 'too_large') {
      answer(
        json(413, ErrorCode.PortalRequest, `The body is larger than ${maxBody} bytes`),
        'refused_too_large',
      );
      return;
    }
    const request: RemoteRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      ...(peer ? { remoteAddress: peer } : {}),
    };
    let response: RemoteResponse;
    try {
      response = await route.handle(request);
    } catch (error) {
      log.error(CATEGORY, 'remote.route.failed', {
        channel,
        path: url.pathname,
        error: describeError(error),
      });
      response = json(500, ErrorCode.Internal, 'The request failed; see the FleetAI log');
    }
    answer(response, 'handled');
  }

  // A slow or stuck client must not hold sockets forever.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  const listening = await listenHttp(server, host, port, id);
  server.on('error', (error) => log.error(CATEGORY, 'portal.server.error', { error: describeError(error) }));

  log.info(CATEGORY, 'portal.listening', { host, port: listening.port, routes: options.routes.length });
  return listening;
}

/** The link that opens the portal with its token (the page then keeps it in a cookie). */
export function portalLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/?token=${encodeURIComponent(token)}`;
}

function channelOf(route: RemoteRoute): string {
  if (route.auth === 'token') return 'portal';
  return route.path.split('/').find((s) => s.length > 0) ?? 'chat';
}

export function pathMatches(pattern: string, pathname: string): boolean {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return false;
  return want.every((segment, i) =>
    segment.startsWith(':') ? (got[i] ?? '').length > 0 : segment === got[i],
  );
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant time whatever the length: both sides are hashed to 32 bytes first. */
function tokenMatches(candidate: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(candidate), expected);
}

function presentedToken(req: http.IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match ? match[1]!.trim() : '';
  }
  const cookies = req.headers.cookie;
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== PORTAL_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return '';
    }
  }
  return undefined;
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function sameSite(from: string, host: string | undefined, publicOrigin: string | undefined): boolean {
  if (publicOrigin && from === publicOrigin) return true;
  if (!host) return false;
  try {
    return new URL(from).host === host;
  } catch {
    return false;
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.resolve('too_large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON error answer: `{ok: false, error: {code, message}}`. */
export function json(status: number, code: string, message: string): RemoteResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ ok: false, error: { code, message } }),
  };
}

function unauthorized(req: http.IncomingMessage, why: 'missing' | 'wrong'): RemoteResponse {
  const message =
    why === 'missing'
      ? 'The portal token is missing: open the link that `fleet portal` prints'
      : 'The portal token is wrong: open the link that `fleet portal` prints';
  if ((req.headers.accept ?? '').includes('text/html')) {
    return {
      status: 401,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': UNAUTHORIZED_CSP },
      body: unauthorizedPage(req.headers['accept-language']),
    };
  }
  return json(401, ErrorCode.PortalAuth, message);
}

function send(res: http.ServerResponse, response: RemoteResponse, head = false): void {
  res.writeHead(response.status, {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...response.headers,
  });
  res.end(head ? undefined : response.body);
}
