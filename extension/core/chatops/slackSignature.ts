import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, FleetError } from '../errors';

/** Slack refuses to sign anything older; a captured request replayed later than this is refused too. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's signing secret (Slack's v0 scheme). */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

export interface SlackRequest {
  /** The `X-Slack-Request-Timestamp` header (seconds since the epoch). */
  timestamp: string | undefined;
  /** The `X-Slack-Signature` header. */
  signature: string | undefined;
  /** The body exactly as received, before any form parsing. */
  rawBody: string | Buffer;
}

/**
 * Throws E_CHAT_SIGNATURE unless the request is signed with `signingSecret` and at most five minutes old (or
 * ahead). The comparison takes the same time whatever the signature, so it leaks nothing about the right one.
 */
export function verifySlackRequest(
  signingSecret: string,
  request: SlackRequest,
  now: () => number = Date.now,
): void {
  function refuse(why: string): never {
    throw new FleetError(ErrorCode.ChatSignature, `Slack request refused: ${why}`, { channel: 'slack' });
  }
  if (!signingSecret) refuse('no signing secret is configured');
  const { timestamp, signature } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    refuse('X-Slack-Request-Timestamp is missing or not a number');
  if (!signature) refuse('X-Slack-Signature is missing');
  const age = Math.abs(Math.floor(now() / 1000) - Number(timestamp));
  if (age > SLACK_MAX_AGE_SECONDS) refuse(`timestamp is ${age} s away from now (more than 5 minutes)`);
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, request.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    refuse('signature does not match');
}

/** The fields of a slash-command POST FleetAI reads (https://api.slack.com/interactivity/slash-commands). */
export interface SlackSlashCommand {
  command: string;
  text: string;
  userId: string;
  userName: string;
  teamId: string;
  channelId?: string;
  responseUrl?: string;
  triggerId?: string;
}

/** Reads an `application/x-www-form-urlencoded` slash-command body; E_CHAT_COMMAND names a missing field. */
export function parseSlashCommand(rawBody: string | Buffer): SlackSlashCommand {
  const form = new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  const required = (name: string): string => {
    const value = form.get(name);
    if (!value) {
      throw new FleetError(ErrorCode.ChatCommand, `Slack slash command has no ${name}`, {
        channel: 'slack',
        field: name,
      });
    }
    return value;
  };
  const optional = (name: string): string | undefined => form.get(name) ?? undefined;
  const channelId = optional('channel_id');
  const responseUrl = optional('response_url');
  const triggerId = optional('trigger_id');
  return {
    command: required('command'),
    text: form.get('text') ?? '',
    userId: required('user_id'),
    userName: form.get('user_name') ?? '',
    teamId: required('team_id'),
    ...(channelId !== undefined ? { channelId } : {}),
    ...(responseUrl !== undefined ? { responseUrl } : {}),
    ...(triggerId !== undefined ? { triggerId } : {}),
  };
}
