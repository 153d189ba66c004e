import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseSlashCommand,
  slackSignature,
  verifySlackRequest,
} from '../../../extension/core/chatops/slackSignature';
import { slackCommandText } from '../../../extension/core/chatops/slackCommandText';
import { ErrorCode, FleetError } from '../../../extension/core/errors';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
  '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fapprove&text=ab12cd34' +
  '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
  '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const NOW_S = 1_700_000_000;
const now = (): number => NOW_S * 1000;

/** Slack's scheme written out here with node:crypto, so the module is checked against it, not against itself. */
function sign(timestamp: string, body: string, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FleetError ? error.code : 'not a FleetError';
  }
  return undefined;
}

describe('Slack request signatures', () => {
  it('signs as Slack documents and accepts a good signature (string or Buffer body)', () => {
    const ts = String(NOW_S - 10);
    expect(slackSignature(SECRET, ts, BODY)).toBe(sign(ts, BODY));
    expect(() =>
      verifySlackRequest(SECRET, { timestamp: ts, signature: sign(ts, BODY), rawBody: BODY }, now),
    ).not.toThrow();
    expect(() =>
      verifySlackRequest(
        SECRET,
        { timestamp: ts, signature: sign(ts, BODY), rawBody: Buffer.from(BODY) },
        now,
      ),
    ).not.toThrow();
  });

  it('refuses a wrong signature, secret, body or missing header', () => {
    const ts = String(NOW_S);
    const good = sign(ts, BODY);
    const bad = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    expect(
      codeOf(() => verifySlackRequest(SECRET, { timestamp: ts, signature: bad, rawBody: BODY }, now)),
    ).toBe(ErrorCode.ChatSignature);
    expect(
      codeOf(() =>
        verifySlackRequest(SECRET, { timestamp: ts, signature: sign(ts, BODY, 'other'), rawBody: BODY }, now),
      ),
    ).toBe(ErrorCode.ChatSignature);
    expect(
      codeOf(() =>
        verifySlackRequest(SECRET, { timestamp: ts, signature: good, rawBody: `${BODY}&x=1` }, now),
      ),
    ).toBe(ErrorCode.ChatSignature);
    expect(
      codeOf(() => verifySlackRequest(SECRET, { timestamp: ts, signature: undefined, rawBody: BODY }, now)),
    ).toBe(ErrorCode.ChatSignature);
    expect(
      codeOf(() => verifySlackRequest(SECRET, { timestamp: 'abc', signature: good, rawBody: BODY }, now)),
    ).toBe(ErrorCode.ChatSignature);
    expect(codeOf(() => verifySlackRequest('', { timestamp: ts, signature: good, rawBody: BODY }, now))).toBe(
      ErrorCode.ChatSignature,
    );
  });

  it('refuses a correctly signed request more than five minutes old or ahead (replay)', () => {
    for (const ts of [String(NOW_S - 301), String(NOW_S + 301), String(NOW_S - 86_400)]) {
      const error = codeOf(() =>
        verifySlackRequest(SECRET, { timestamp: ts, signature: sign(ts, BODY), rawBody: BODY }, now),
      );
      expect(error).toBe(ErrorCode.ChatSignature);
    }
    const edge = String(NOW_S - 300);
    expect(() =>
      verifySlackRequest(SECRET, { timestamp: edge, signature: sign(edge, BODY), rawBody: BODY }, now),
    ).not.toThrow();
  });

  it('never puts the secret in the error', () => {
    try {
      verifySlackRequest(SECRET, { timestamp: String(NOW_S), signature: 'v0=00', rawBody: BODY }, now);
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(SECRET);
    }
  });

  it('parses a slash-command body', () => {
    const command = parseSlashCommand(BODY);
    expect(command).toEqual({
      command: '/approve',
      text: 'ab12cd34',
      userId: 'U2CERLKJA',
      userName: 'roadrunner',
      teamId: 'T1DC2JH3J',
      channelId: 'G8PSS9T3V',
      responseUrl: 'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN',
      triggerId: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    });
    expect(slackCommandText(command)).toBe('/approve ab12cd34');
    expect(slackCommandText({ command: '/fleet', text: 'deny ab12 too risky' })).toBe('deny ab12 too risky');
    expect(
      parseSlashCommand('command=%2Fsend&text=p1+run+%E6%B5%8B%E8%AF%95&user_id=U1&team_id=T1').text,
    ).toBe('p1 run 测试');
  });

  it('names the missing field of a slash-command body', () => {
    try {
      parseSlashCommand('command=%2Fstatus&team_id=T1');
      expect.unreachable();
    } catch (error) {
      expect((error as FleetError).code).toBe(ErrorCode.ChatCommand);
      expect((error as FleetError).message).toContain('user_id');
    }
  });
});
