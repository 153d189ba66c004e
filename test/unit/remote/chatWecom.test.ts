import { afterEach, describe, expect, it } from 'vitest';
import { WecomCrypto, wecomSignature } from '../../../extension/core/chatops/wecomCrypto';
import {
  ENV,
  WECOM,
  openReply,
  send,
  startHarness,
  until,
  wecom,
  wecomPost,
  type Harness,
} from './chatHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const refusals = (harness: Harness) =>
  harness.log.lines
    .filter((l) => l.event === 'chat.refused')
    .map((l) => l.context as Record<string, unknown>);

describe('WeCom application callback over HTTP', () => {
  it('GET answers the URL verification with the decrypted echostr, and 401 for a wrong signature', async () => {
    h = await startHarness();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const echostr = wecom.encrypt('1616140317555161061');
    const query = (signature: string, nonce: string) =>
      new URLSearchParams({ msg_signature: signature, timestamp, nonce, echostr }).toString();
    const good = await fetch(
      `${h.url}/wecom/callback?${query(wecomSignature(WECOM.token, timestamp, '11', echostr), '11')}`,
    );
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('1616140317555161061');
    const bad = await fetch(
      `${h.url}/wecom/callback?${query(wecomSignature('other-token', timestamp, '12', echostr), '12')}`,
    );
    expect(bad.status).toBe(401);
    // An echostr whose `+` reached the server unescaped (read as a space) still verifies.
    let plus = wecom.encrypt('4242');
    while (!plus.includes('+')) plus = wecom.encrypt('4242');
    const raw = `msg_signature=${wecomSignature(WECOM.token, timestamp, '14', plus)}&timestamp=${timestamp}&nonce=14&echostr=${plus.replaceAll('=', '%3D')}`;
    const unescaped = await fetch(`${h.url}/wecom/callback?${raw}`);
    expect(unescaped.status).toBe(200);
    expect(await unescaped.text()).toBe('4242');
    const missing = await fetch(`${h.url}/wecom/callback?timestamp=${timestamp}&nonce=13`);
    expect(missing.status).toBe(400);
  });

  it('/approve decides through the orchestrator as wecom; the passive reply decrypts to the confirmation', async () => {
    h = await startHarness();
    const id = await h.pendingApproval('touch a.txt');
    const answer = await send(h.url, wecomPost(`/approve ${id}`));
    expect(answer.status).toBe(200);
    const reply = openReply(answer.body);
    expect(reply).toContain(`Approved ${id}`);
    expect(reply).toContain('已批准');
    expect(await h.store.get(id)).toMatchObject({
      decision: 'approve',
      decidedBy: 'wecom',
      message: 'via wecom by zhangsan',
    });
    expect(await h.store.pending()).toEqual([]);
    // The agent itself was answered, not only the store.
    const fleet = h.fleet;
    await until(() => fleet.answers.some((a) => a.pane === 'p1' && a.decision === 'approve'), 'the answer');

    // A second /approve is told who decided first; nothing changes.
    const again = openReply((await send(h.url, wecomPost(`/approve ${id}`, { from: 'lisi' }))).body);
    expect(again).toContain('already decided');
    expect(await h.store.completed()).toHaveLength(1);
  });

  it('/status lists the panes and the pending approval', async () => {
    h = await startHarness();
    const id = await h.pendingApproval('touch b.txt');
    const reply = openReply((await send(h.url, wecomPost('/status'))).body);
    expect(reply).toContain('1 pane(s)');
    expect(reply).toContain('1 approval(s) pending');
    expect(reply).toContain(id);
  });

  it('a wrong signature, an old timestamp, another CorpID, a replayed nonce or a bad body decide nothing', async () => {
    h = await startHarness();
    const id = await h.pendingApproval('touch c.txt');
    const oldStamp = Math.floor(Date.now() / 1000) - 6 * 60;
    const otherCorp = new WecomCrypto({
      token: WECOM.token,
      encodingAesKey: WECOM.aesKey,
      receiveId: 'wwOTHER',
    });
    const otherKey = new WecomCrypto({
      token: WECOM.token,
      encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      receiveId: WECOM.corpId,
    });
    const cases: [string, Parameters<typeof wecomPost>[1], number][] = [
      ['wrong token in the signature', { token: 'not-the-token' }, 401],
      ['timestamp six minutes old', { timestamp: oldStamp }, 401],
      ['timestamp six minutes ahead', { timestamp: oldStamp + 12 * 60 }, 401],
      ['encrypted for another CorpID', { crypto: otherCorp }, 401],
      ['encrypted with another key', { crypto: otherKey }, 401],
    ];
    for (const [what, options, status] of cases) {
      const answer = await send(h.url, wecomPost(`/approve ${id}`, options));
      expect(answer.status, what).toBe(status);
    }
    // A body changed after signing.
    const tampered = wecomPost(`/approve ${id}`);
    tampered.body = tampered.body.replace('<Encrypt><![CDATA[', '<Encrypt><![CDATA[AAAA');
    expect((await send(h.url, tampered)).status).toBe(401);
    // Not WeCom XML at all.
    expect((await send(h.url, { query: wecomPost('/status').query, body: '{"json":true}' })).status).toBe(
      400,
    );

    expect((await h.store.pending()).map((r) => r.id)).toEqual([id]);
    expect(await h.store.completed()).toEqual([]);

    // The same signed request twice: the first is answered, the replay refused (same nonce).
    const status = wecomPost('/status', { nonce: 'nonce-once' });
    expect((await send(h.url, status)).status).toBe(200);
    expect((await send(h.url, status)).status).toBe(401);
    // A fresh /approve reusing that nonce, signed properly: refused, nothing decided.
    const reuse = wecomPost(`/approve ${id}`, { nonce: 'nonce-once' });
    expect((await send(h.url, reuse)).status).toBe(401);
    expect((await h.store.pending()).map((r) => r.id)).toEqual([id]);

    const warned = refusals(h);
    expect(warned).toHaveLength(cases.length + 4);
    for (const line of warned) {
      expect(line).toMatchObject({
        channel: 'wecom',
        peer: expect.stringMatching(/127\.0\.0\.1/) as unknown,
      });
      expect(typeof line.reason).toBe('string');
    }
    expect(warned.map((l) => l.reason).join('\n')).toMatch(/5 minutes[\s\S]*CorpID[\s\S]*already used/);
    const logged = JSON.stringify(h.log.lines);
    for (const secret of [WECOM.token, WECOM.aesKey, tampered.body.slice(30, 70)]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('allowed_users: another user may ask for /status but not approve', async () => {
    h = await startHarness({ allowedUsers: ['lisi'] });
    const id = await h.pendingApproval('touch d.txt');
    const refused = openReply((await send(h.url, wecomPost(`/approve ${id}`, { from: 'zhangsan' }))).body);
    expect(refused).toContain('may not approve');
    expect((await h.store.pending()).map((r) => r.id)).toEqual([id]);
    expect(openReply((await send(h.url, wecomPost('/status', { from: 'zhangsan' }))).body)).toContain(id);
    const allowed = openReply((await send(h.url, wecomPost(`/approve ${id}`, { from: 'lisi' }))).body);
    expect(allowed).toContain(`Approved ${id}`);
    expect(await h.store.get(id)).toMatchObject({ decidedBy: 'wecom', message: 'via wecom by lisi' });
  });

  it('a retried message (same MsgId) runs once; an event is acknowledged with an empty answer', async () => {
    h = await startHarness();
    const first = await send(h.url, wecomPost('/send p1 echo once', { msgId: '42' }));
    expect(openReply(first.body)).toMatch(/Sent to p1|Queued for p1/);
    const retry = await send(h.url, wecomPost('/send p1 echo once', { msgId: '42' }));
    expect(retry).toEqual({ status: 200, body: '' });
    const queued = h.log.lines.filter((l) => l.event === 'command.queued');
    expect(queued).toHaveLength(1);
    expect(queued[0]?.context).toMatchObject({ pane: 'p1', source: 'remote', text: 'echo once' });
    const event = await send(h.url, wecomPost('', { msgType: 'event' }));
    expect(event).toEqual({ status: 200, body: '' });
  });

  it('without the three variables the route answers 404 naming them, and the log says so once', async () => {
    h = await startHarness({
      env: { WECOM_CALLBACK_TOKEN: 'x', SLACK_SIGNING_SECRET: ENV.SLACK_SIGNING_SECRET },
    });
    const answer = await send(h.url, wecomPost('/status'));
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('WECOM_CALLBACK_AES_KEY');
    expect(answer.body).toContain('WECOM_CORP_ID');
    expect(answer.body).not.toContain('WECOM_CALLBACK_TOKEN');
    await send(h.url, wecomPost('/status'));
    expect(h.log.lines.filter((l) => l.event === 'chat.wecom_off')).toHaveLength(1);
  });

  it('a command slower than the deadline is answered "accepted" and finishes afterwards', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A stand-in around the real supervisor whose status() waits for the test: the only way to make a command
    // slow on purpose.
    h = await startHarness({
      wrapRemote: (remote) => ({
        ...remote,
        status: async () => {
          await gate;
          return remote.status();
        },
      }),
      routeOptions: { replyWithinMs: { wecom: 50 } },
    });
    const answer = await send(h.url, wecomPost('/status'));
    expect(answer.status).toBe(200);
    expect(openReply(answer.body)).toContain('Accepted');
    release();
    const log = h.log;
    await until(() => log.lines.some((l) => l.event === 'chat.slow_command'), 'the late outcome in the log');
    expect(log.lines.filter((l) => l.event === 'chat.reply_accepted')).toHaveLength(1);
  });
});
