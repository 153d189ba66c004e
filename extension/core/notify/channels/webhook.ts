import { createHmac } from 'node:crypto';
import { ChannelFailure } from '../channelFailure';
import { postBody } from '../http';
import { plainText, replyHint } from '../render';
import type { NotifyEvent, RemoteChannel } from '../types';
import { RememberedSecret, type SecretSource } from './secretSource';

/**
 * A generic JSON webhook, for anything else (a bot of one's own, n8n, a pager). The payload (docs/notifications.md):
 *   {"source":"fleetai","version":1,"event":{severity,title,message,pane?,branch?,requires_confirmation,
 *    approval?:{id,command?,risk?,kind?},at},"text":"...","reply":"Reply /approve <id> or /deny <id> [reason]"?}
 * With a secret, the request carries `X-FleetAI-Timestamp: <unix seconds>` and
 * `X-FleetAI-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, so the receiver can check both the
 * sender and the freshness. Any 2xx is success.
 */

export const SIGNATURE_HEADER = 'x-fleetai-signature';
export const TIMESTAMP_HEADER = 'x-fleetai-timestamp';

export function webhookPayload(event: NotifyEvent): Record<string, unknown> {
  const reply = replyHint(event);
  return {
    source: 'fleetai',
    version: 1,
    event: {
      severity: event.severity,
      title: event.title,
      message: event.message,
      ...(event.pane ? { pane: event.pane } : {}),
      ...(event.branch ? { branch: event.branch } : {}),
      requires_confirmation: event.requiresConfirmation,
      ...(event.approval ? { approval: event.approval } : {}),
      at: new Date(event.at).toISOString(),
    },
    text: plainText(event),
    ...(reply ? { reply } : {}),
  };
}

export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookChannel(options: {
  url: SecretSource;
  secret?: SecretSource;
  now?: () => number;
}): RemoteChannel {
  const url = new RememberedSecret(options.url);
  const secret = options.secret ? new RememberedSecret(options.secret) : undefined;
  const now = options.now ?? Date.now;
  return {
    name: 'webhook',
    unavailable: async () => {
      const problem = await url.urlProblem();
      if (problem) return problem;
      // A configured secret that is not there would send unsigned requests the receiver must refuse.
      if (secret && !(await secret.read())) return `${secret.source.describe} is not set`;
      return undefined;
    },
    send: async (event, signal) => {
      const target = await url.require();
      const body = JSON.stringify(webhookPayload(event));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret) {
        const key = await secret.read();
        if (!key) throw new ChannelFailure('missing', `${secret.source.describe} is not set`);
        const timestamp = String(Math.floor(now() / 1000));
        headers[TIMESTAMP_HEADER] = timestamp;
        headers[SIGNATURE_HEADER] = signBody(key, timestamp, body);
      }
      const { status, body: answer } = await postBody(target, body, headers, signal);
      if (status < 200 || status >= 300) {
        throw new ChannelFailure('http', `HTTP ${status}: ${answer.slice(0, 200)}`, status);
      }
    },
    secrets: () => [...url.values(), ...(secret?.values() ?? [])],
  };
}
