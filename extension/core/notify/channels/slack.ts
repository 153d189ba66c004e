import { ChannelFailure } from '../channelFailure';
import { postJson } from '../http';
import { detailLines, headline, plainText, replyHint } from '../render';
import type { NotifyEvent, RemoteChannel } from '../types';
import { RememberedSecret, type SecretSource } from './secretSource';

/**
 * A Slack incoming webhook (or a compatible one: Mattermost, Rocket.Chat): POST {text, blocks}. `text` is the
 * fallback shown in notifications; Slack answers 200 "ok", or 4xx with a word such as "invalid_payload" or
 * "no_service".
 */

export function slackPayload(event: NotifyEvent): Record<string, unknown> {
  const fields = detailLines(event).map(
    (l) => `*${l.label}:* ${l.code ? `\`${l.value.replace(/`/g, "'")}\`` : escape(l.value)}`,
  );
  const blocks: Record<string, unknown>[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escape(headline(event))}*\n${escape(event.message)}` },
    },
    { type: 'section', text: { type: 'mrkdwn', text: fields.join('\n') } },
  ];
  const hint = replyHint(event);
  if (hint) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escape(hint) }] });
  return { text: plainText(event), blocks };
}

/** Slack's three control characters in mrkdwn. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackChannel(options: { url: SecretSource }): RemoteChannel {
  const url = new RememberedSecret(options.url);
  return {
    name: 'slack',
    unavailable: () => url.urlProblem(),
    send: async (event, signal) => {
      const target = await url.require();
      const { status, body } = await postJson(target, slackPayload(event), signal);
      if (status < 200 || status >= 300) {
        throw new ChannelFailure('http', `HTTP ${status}: ${body.slice(0, 200)}`, status);
      }
    },
    secrets: () => url.values(),
  };
}
