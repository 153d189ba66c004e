import { ChannelFailure } from '../channelFailure';
import { postJson, truncateBytes } from '../http';
import { detailLines, headline, plainText, replyHint } from '../render';
import type { NotifyEvent, RemoteChannel } from '../types';
import { RememberedSecret, type SecretSource } from './secretSource';

/**
 * WeCom (企业微信) group robot: POST JSON to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY with
 * `msgtype` "text" ({text: {content}}, at most 2048 bytes) or "markdown" ({markdown: {content}}, at most 4096
 * bytes). The service answers HTTP 200 with {errcode, errmsg}; errcode 0 is success, anything else a failure
 * (93000 invalid webhook URL, 45009 over the robot's 20 messages a minute, ...).
 */

export type WecomMsgType = 'text' | 'markdown';

const TEXT_MAX_BYTES = 2048;
const MARKDOWN_MAX_BYTES = 4096;

export function wecomPayload(event: NotifyEvent, msgtype: WecomMsgType): Record<string, unknown> {
  if (msgtype === 'text') {
    return { msgtype: 'text', text: { content: truncateBytes(plainText(event), TEXT_MAX_BYTES) } };
  }
  const color = event.severity === 'critical' ? 'warning' : event.requiresConfirmation ? 'warning' : 'info';
  const lines = [
    `**<font color="${color}">${escapeMarkdown(headline(event))}</font>**`,
    escapeMarkdown(event.message),
    ...detailLines(event).map(
      (l) =>
        `> ${l.label}: ${l.code ? `\`${l.value.replace(/`/g, "'")}\`` : `<font color="comment">${escapeMarkdown(l.value)}</font>`}`,
    ),
  ];
  const hint = replyHint(event);
  if (hint) lines.push(hint);
  return { msgtype: 'markdown', markdown: { content: truncateBytes(lines.join('\n'), MARKDOWN_MAX_BYTES) } };
}

/** WeCom's markdown has no escape character; angle brackets would start a tag. */
function escapeMarkdown(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›');
}

export function wecomChannel(options: { url: SecretSource; msgtype: WecomMsgType }): RemoteChannel {
  const url = new RememberedSecret(options.url);
  return {
    name: 'wecom',
    unavailable: () => url.urlProblem(),
    send: async (event, signal) => {
      const target = await url.require();
      const { status, body } = await postJson(target, wecomPayload(event, options.msgtype), signal);
      if (status !== 200) throw new ChannelFailure('http', `HTTP ${status}`, status);
      let answer: { errcode?: unknown; errmsg?: unknown };
      try {
        answer = JSON.parse(body) as typeof answer;
      } catch {
        throw new ChannelFailure('rejected', 'the answer is not JSON');
      }
      if (answer.errcode !== 0) {
        const code = typeof answer.errcode === 'number' ? answer.errcode : undefined;
        throw new ChannelFailure(
          'rejected',
          `errcode ${String(answer.errcode)}: ${String(answer.errmsg)}`,
          code,
        );
      }
    },
    secrets: () => url.values(),
  };
}
