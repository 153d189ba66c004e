import { afterEach, describe, expect, it } from 'vitest';
import { slackSignature } from '../../../extension/core/chatops/slackSignature';
import { SLACK_SECRET, WECOM, slack, slackForm, startHarness, until, type Harness } from './chatHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ephemeral = (body: string): string => {
  const parsed = JSON.parse(body) as { response_type: string; text: string };
  expect(parsed.response_type).toBe('ephemeral');
  return parsed.text;
};

describe('Slack slash commands over HTTP', () => {
  it('/fleet deny <id> <reason> decides as slack with the reason', async () => {
    h = await startHarness();
    const id = await h.pendingApproval('rm -rf build');
    const answer = await slack(h.url, slackForm('/fleet', `deny ${id} 太危险 too risky`));
    expect(answer.status).toBe(200);
    expect(ephemeral(answer.body)).toContain(`Denied ${id}`);
    expect(await h.store.get(id)).toMatchObject({
      decision: 'deny',
      decidedBy: 'slack',
      message: 'via slack by U2CERLKJA (roadrunner): 太危险 too risky',
    });
    const fleet = h.fleet;
    await until(() => fleet.answers.some((a) => a.pane === 'p1' && a.decision === 'deny'), 'the answer');
  });

  it('the direct /approve command name works too, and /status answers', async () => {
    h = await startHarness();
    const id = await h.pendingApproval('touch e.txt');
    expect(ephemeral((await slack(h.url, slackForm('/status', ''))).body)).toContain(id);
    const answer = await slack(h.url, slackForm('/approve', id));
    expect(ephemeral(answer.body)).toContain(`Approved ${id}`);
    expect(await h.store.get(id)).toMatchObject({ decision: 'approve', decidedBy: 'slack' });
  });

  it('/fleet send queues for the pane with source remote', async () => {
    h = await startHarness();
    const text = ephemeral((await slack(h.url, slackForm('/fleet', 'send p1 npm test -- --run'))).body);
    expect(text).toMatch(/Sent to p1|Queued for p1/);
    const queued = h.log.lines.filter((l) => l.event === 'command.queued');
    expect(queued).toHaveLength(1);
    expect(queued[0]?.context).toMatchObject({ pane: 'p1', source: 'remote', text: 'npm test -- --run' });
    const unknown = ephemeral((await slack(h.url, slackForm('/fleet', 'send p9 ls'))).body);
    expect(unknown).toContain('p9');
  });

  it('a wrong secret, an old timestamp, a replay or a changed body decide nothing (401), one warn line each', async () => {
    h = await startHarness();
    const id = await h.pendingApproval('touch f.txt');
    const body = slackForm('/fleet', `approve ${id}`);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await slack(h.url, body, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await slack(h.url, body, { timestamp: old })).status).toBe(401);
    expect((await slack(h.url, body, { signature: 'v0=' })).status).toBe(401);
    // Signed for one body, sent with another.
    const now = String(Math.floor(Date.now() / 1000));
    const other = slackForm('/fleet', 'status');
    expect(
      (
        await slack(h.url, body, {
          timestamp: Number(now),
          signature: slackSignature(SLACK_SECRET, now, other),
        })
      ).status,
    ).toBe(401);
    expect((await h.store.pending()).map((r) => r.id)).toEqual([id]);

    // The same signed request twice: the second is a replay.
    const status = slackForm('/fleet', 'status');
    const stamp = Math.floor(Date.now() / 1000);
    expect((await slack(h.url, status, { timestamp: stamp })).status).toBe(200);
    expect((await slack(h.url, status, { timestamp: stamp })).status).toBe(401);

    // Signed but not a slash command: malformed, 400.
    expect((await slack(h.url, 'command=%2Ffleet&text=status')).status).toBe(400);

    const warned = h.log.lines.filter((l) => l.event === 'chat.refused').map((l) => l.context);
    expect(warned).toHaveLength(6);
    for (const line of warned)
      expect(line).toMatchObject({ channel: 'slack', peer: expect.any(String) as unknown });
    const logged = JSON.stringify(h.log.lines);
    expect(logged).not.toContain(SLACK_SECRET);
    expect(logged).not.toContain('deprecated-verification-token');
    expect(await h.store.completed()).toEqual([]);
  });

  it('allowed_users refuses the others', async () => {
    h = await startHarness({ allowedUsers: ['U_BOSS'] });
    const id = await h.pendingApproval('touch g.txt');
    const text = ephemeral((await slack(h.url, slackForm('/fleet', `approve ${id}`))).body);
    expect(text).toContain('may not approve');
    expect((await h.store.pending()).map((r) => r.id)).toEqual([id]);
    expect(ephemeral((await slack(h.url, slackForm('/fleet', `approve ${id}`, 'U_BOSS'))).body)).toContain(
      'Approved',
    );
  });

  it('without the signing secret the route answers 404 naming the variable', async () => {
    h = await startHarness({
      env: {
        WECOM_CALLBACK_TOKEN: WECOM.token,
        WECOM_CALLBACK_AES_KEY: WECOM.aesKey,
        WECOM_CORP_ID: WECOM.corpId,
      },
    });
    const answer = await slack(h.url, slackForm('/fleet', 'status'));
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('SLACK_SIGNING_SECRET');
    expect(h.log.lines.filter((l) => l.event === 'chat.slack_off')).toHaveLength(1);
    expect(h.log.lines.filter((l) => l.event === 'chat.wecom_off')).toHaveLength(0);
  });
});
