import { ErrorCode, describeError, isFleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import { pickLanguage, portalPage } from './portalPage';
import { json } from './remoteServer';
import type { RemoteSender, RemoteSupervisor } from './remoteSupervisor';
import type { RemoteRequest, RemoteResponse, RemoteRoute } from './routes';

export interface PortalRoutesOptions {
  remote: RemoteSupervisor;
  log: Pick<Logger, 'info' | 'warn'>;
}

const MAX_REASON = 500;
const MAX_TEXT = 8000;
/** The portal token names no person: the decision is recorded as the portal's. */
const PORTAL_SENDER: RemoteSender = { channel: 'portal' };

/**
 * The approval portal: the page, its status feed, decisions and instructions. Every route asks for the portal
 * token (the server checks it, and the JSON content type and same-site origin of the POSTs, before any runs).
 */
export function portalRoutes(options: PortalRoutesOptions): RemoteRoute[] {
  const { remote } = options;
  const decide =
    (decision: 'approve' | 'deny') =>
    async (request: RemoteRequest): Promise<RemoteResponse> => {
      const id = segment(request.path, 3);
      const body = parseBody(request);
      if ('error' in body) return body.error;
      const reason = body.value.reason;
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON)) {
        return json(400, ErrorCode.PortalRequest, `reason must be text of at most ${MAX_REASON} characters`);
      }
      const result = await remote.decide(id, decision, PORTAL_SENDER, reason?.trim() || undefined);
      if (!result.ok) {
        const status =
          result.error.code === ErrorCode.ApprovalAlreadyDecided
            ? 409
            : result.error.code === ErrorCode.ApprovalNotFound
              ? 404
              : 400;
        return json(status, result.error.code, result.error.message);
      }
      return ok({ ok: true, record: result.record });
    };
  return [
    {
      method: 'GET',
      path: '/',
      auth: 'token',
      handle: (request) => {
        const { html, csp } = portalPage(pickLanguage(request.headers['accept-language']));
        return Promise.resolve({
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp },
          body: html,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/status',
      auth: 'token',
      handle: async () => ok(await remote.status()),
    },
    { method: 'POST', path: '/api/approvals/:id/approve', auth: 'token', handle: decide('approve') },
    { method: 'POST', path: '/api/approvals/:id/deny', auth: 'token', handle: decide('deny') },
    {
      method: 'POST',
      path: '/api/panes/:id/send',
      auth: 'token',
      handle: async (request) => {
        const pane = segment(request.path, 3);
        const body = parseBody(request);
        if ('error' in body) return body.error;
        const text = body.value.text;
        if (typeof text !== 'string' || !text.trim() || text.length > MAX_TEXT) {
          return json(
            400,
            ErrorCode.PortalRequest,
            `text must be non-empty text of at most ${MAX_TEXT} characters`,
          );
        }
        try {
          const queued = await remote.send(pane, text.trim(), PORTAL_SENDER);
          return ok({ ok: true, ...queued });
        } catch (error) {
          if (isFleetError(error)) {
            return json(error.code === ErrorCode.PaneNotFound ? 404 : 400, error.code, error.message);
          }
          options.log.warn('remote', 'portal.send.failed', { pane, error: describeError(error) });
          throw error;
        }
      },
    },
  ];
}

function ok(value: unknown): RemoteResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

function segment(path: string, index: number): string {
  const raw = path.split('/')[index] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function parseBody(request: RemoteRequest): { value: Record<string, unknown> } | { error: RemoteResponse } {
  const text = request.body.toString('utf8').trim();
  if (!text) return { value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: json(400, ErrorCode.PortalRequest, 'The body is not JSON') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: json(400, ErrorCode.PortalRequest, 'The body must be a JSON object') };
  }
  return { value: value as Record<string, unknown> };
}
