import type { IncomingHttpHeaders } from 'node:http';

/** One request as the remote server's routes see it: the whole body already read (bounded by the server). */
export interface RemoteRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The peer's address, for the log. */
  remoteAddress?: string;
}

export interface RemoteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * A route of the remote server (extension/core/remote). The portal's routes ask for the portal token; a route
 * with `auth: 'signature'` (the WeCom and Slack callbacks) proves its caller itself, by the signature the chat
 * platform puts on every request, because those platforms cannot send FleetAI's token.
 */
export interface RemoteRoute {
  method: 'GET' | 'POST';
  /** Exact path, e.g. `/wecom/callback`. */
  path: string;
  auth: 'token' | 'signature';
  handle(request: RemoteRequest): Promise<RemoteResponse>;
}
