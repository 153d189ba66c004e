import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelFailure,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  maskUrl,
  redact,
  slackChannel,
  webhookChannel,
  wecomChannel,
  wecomPayload,
  type NotifyEvent,
} from '../../../extension/core/notify';
import {
  startFakeSlack,
  startFakeWebhook,
  startFakeWecom,
  type FakeEndpoint,
} from '../../fakes/notifyEndpoints.mjs';
import { timeoutSignal } from '../../../extension/core/timeoutSignal';

const approval: NotifyEvent = {
  severity: 'warning',
  title: 'Approval needed (high)',
  message: 'api (feat/x) wants to run: rm -rf build',
  pane: 'api',
  branch: 'feat/x',
  requiresConfirmation: true,
  approval: { id: 'a1b2', command: 'rm -rf build', risk: 'high', kind: 'command' },
  at: Date.UTC(2026, 10, 21, 18, 0, 0),
};

const fixed = (value: string | undefined) => ({ describe: 'TEST_URL', read: () => value });
const signal = () => timeoutSignal(5000);

interface Recorded {
  msgtype?: string;
  markdown?: { content: string };
  text?: string | { content: string };
  blocks?: { type: string; text?: { text: string }; elements?: { text: string }[] }[];
}
const bodyOf = (r: { body: unknown } | undefined) => r!.body as Recorded;

let endpoints: FakeEndpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.map((e) => e.stop()));
  endpoints = [];
});

describe('WeCom group robot', () => {
  it('sends markdown with id, pane, command, risk and the reply words; the fake records it', async () => {
    const wecom = await startFakeWecom();
    endpoints.push(wecom);
    const channel = wecomChannel({ url: fixed(wecom.url()), msgtype: 'markdown' });
    expect(await channel.unavailable()).toBeUndefined();
    await channel.send(approval, signal());
    const [got] = await wecom.waitFor(1);
    expect(got!.query.key).toBe(wecom.key);
    expect(bodyOf(got).msgtype).toBe('markdown');
    const content = bodyOf(got).markdown!.content;
    for (const part of ['a1b2', 'api (feat/x)', '`rm -rf build`', 'high', '/approve a1b2', '/deny a1b2']) {
      expect(content).toContain(part);
    }
  });

  it('sends text as {msgtype: "text", text: {content}}, cut to 2048 bytes', async () => {
    const wecom = await startFakeWecom();
    endpoints.push(wecom);
    const channel = wecomChannel({ url: fixed(wecom.url()), msgtype: 'text' });
    await channel.send({ ...approval, message: '很长'.repeat(2000) }, signal());
    const [got] = await wecom.waitFor(1);
    expect(bodyOf(got).msgtype).toBe('text');
    expect(Buffer.byteLength((bodyOf(got).text as { content: string }).content)).toBeLessThanOrEqual(2048);
    expect(JSON.stringify(wecomPayload(approval, 'text'))).toContain('/approve a1b2');
  });

  it('treats errcode != 0 as a failure and keeps the key out of the message', async () => {
    const wecom = await startFakeWecom({ key: 'right-key-123456' });
    endpoints.push(wecom);
    const wrong = `${wecom.base}/cgi-bin/webhook/send?key=wrong-key-987654`;
    const channel = wecomChannel({ url: fixed(wrong), msgtype: 'markdown' });
    const error = await channel.send(approval, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelFailure);
    expect((error as ChannelFailure).status).toBe(93000);
    expect((error as ChannelFailure).message).toContain('errcode 93000');
    expect((error as ChannelFailure).message).not.toContain('wrong-key-987654');
    expect(wecom.received).toHaveLength(0);
  });

  it('answers 45009 past the robot limit, like the real one', async () => {
    const wecom = await startFakeWecom({ perMinute: 2 });
    endpoints.push(wecom);
    const channel = wecomChannel({ url: fixed(wecom.url()), msgtype: 'text' });
    await channel.send(approval, signal());
    await channel.send(approval, signal());
    const third = await channel.send(approval, signal()).catch((e: unknown) => e);
    expect((third as ChannelFailure).status).toBe(45009);
  });

  it('is unavailable, naming the variable, when the URL is missing', async () => {
    const channel = wecomChannel({
      url: { describe: 'WECOM_WEBHOOK', read: () => undefined },
      msgtype: 'text',
    });
    expect(await channel.unavailable()).toBe('WECOM_WEBHOOK is not set');
    await expect(channel.send(approval, signal())).rejects.toMatchObject({ kind: 'missing' });
  });
});

describe('Slack-compatible incoming webhook', () => {
  it('sends {text, blocks} with the reply words in a context block', async () => {
    const slack = await startFakeSlack();
    endpoints.push(slack);
    await slackChannel({ url: fixed(slack.url()) }).send(approval, signal());
    const [got] = await slack.waitFor(1);
    expect(bodyOf(got).text).toContain('/approve a1b2');
    const blocks = bodyOf(got).blocks!;
    expect(blocks[0]!.type).toBe('section');
    expect(blocks.map((b) => b.text?.text ?? '').join('\n')).toContain('`rm -rf build`');
    expect(blocks.at(-1)).toMatchObject({ type: 'context' });
    expect(blocks.at(-1)!.elements![0]!.text).toContain('/deny a1b2');
  });

  it("fails with the status and Slack's word on a wrong path", async () => {
    const slack = await startFakeSlack();
    endpoints.push(slack);
    const error = await slackChannel({ url: fixed(`${slack.base}/services/T0001/B0001/wrongSECRET123`) })
      .send(approval, signal())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'http', status: 404 });
    expect((error as Error).message).toContain('no_service');
  });
});

describe('generic JSON webhook', () => {
  it('posts the documented payload, signed with HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    const hook = await startFakeWebhook();
    endpoints.push(hook);
    const now = () => Date.UTC(2026, 10, 21, 18, 0, 5);
    await webhookChannel({
      url: fixed(hook.url()),
      secret: { describe: 'SECRET', read: () => 's3cret' },
      now,
    }).send(approval, signal());
    const [got] = await hook.waitFor(1);
    expect(got!.body).toMatchObject({
      source: 'fleetai',
      version: 1,
      event: {
        severity: 'warning',
        pane: 'api',
        requires_confirmation: true,
        approval: { id: 'a1b2', command: 'rm -rf build', risk: 'high' },
        at: '2026-11-21T18:00:00.000Z',
      },
      reply: 'Reply /approve a1b2 or /deny a1b2 [reason]',
    });
    const timestamp = got!.headers[TIMESTAMP_HEADER] as string;
    expect(timestamp).toBe(String(Math.floor(now() / 1000)));
    const expected = `sha256=${createHmac('sha256', 's3cret').update(`${timestamp}.${got!.raw}`).digest('hex')}`;
    expect(got!.headers[SIGNATURE_HEADER]).toBe(expected);
  });

  it('sends no signature header without a secret; a 500 is a failure', async () => {
    const hook = await startFakeWebhook();
    endpoints.push(hook);
    const channel = webhookChannel({ url: fixed(hook.url()) });
    await channel.send(approval, signal());
    expect((await hook.waitFor(1))[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();
    hook.status = 500;
    await expect(channel.send(approval, signal())).rejects.toMatchObject({ kind: 'http', status: 500 });
  });

  it('times out on an endpoint that never answers', async () => {
    const hook = await startFakeWebhook();
    endpoints.push(hook);
    hook.hang = true;
    await expect(
      webhookChannel({ url: fixed(hook.url()) }).send(approval, timeoutSignal(200)),
    ).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('is unreachable (not an exception of another kind) when nothing listens', async () => {
    const hook = await startFakeWebhook();
    const url = hook.url();
    await hook.stop();
    await expect(webhookChannel({ url: fixed(url) }).send(approval, signal())).rejects.toMatchObject({
      kind: 'unreachable',
    });
  });
});

describe('masking', () => {
  it('shows which service, never the key', () => {
    expect(
      maskUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'),
    ).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***');
    expect(maskUrl('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX')).toBe(
      'https://hooks.slack.com/services/***',
    );
    expect(maskUrl('not a url')).toBe('***');
  });

  it('redacts a URL, its key and its path secrets wherever they appear', () => {
    const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd-1234-efgh';
    expect(redact(`failed ${url} (key abcd-1234-efgh)`, [url])).toBe('failed *** (key ***)');
    const slack = 'https://hooks.slack.com/services/T0001/B0001/XXXXsecretXXXX';
    expect(redact('POST /services/T0001/B0001/XXXXsecretXXXX', [slack])).toBe(
      'POST /services/T0001/B0001/***',
    );
  });
});
