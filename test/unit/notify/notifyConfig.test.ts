import { describe, expect, it } from 'vitest';
import { parseOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { ErrorCode } from '../../../extension/core/errors';
import { notifierSettings, remoteChannelsFromConfig } from '../../../extension/core/notify';

const file = '/ws/.fleetai/orchestrator.json';

describe('the notify section of orchestrator.json', () => {
  it('has defaults: critical-or-approval, 5 min dedupe, 20/min with a burst of 5, 10 s timeout', () => {
    const config = parseOrchestratorConfig(file, '{}');
    expect(config.notify).toMatchObject({
      wecom_webhook_env: 'WECOM_WEBHOOK',
      min_level: 'critical',
      wecom_msgtype: 'markdown',
      dedupe_seconds: 300,
      rate_per_minute: 20,
      burst: 5,
      timeout_seconds: 10,
    });
    expect(notifierSettings(config.notify)).toMatchObject({
      dedupeMs: 300_000,
      timeoutMs: 10_000,
      retryMinMs: 5_000,
    });
  });

  it('names the file, line and field of a bad value', () => {
    const text = '{\n  "notify": {\n    "channels": ["wecom", "pager"],\n    "min_level": "loud"\n  }\n}';
    let error: unknown;
    try {
      parseOrchestratorConfig(file, text);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: ErrorCode.ConfigSchema });
    const problems = (error as { details: { problems: string[] } }).details.problems;
    expect(problems[0]).toMatch(/^\/ws\/\.fleetai\/orchestrator\.json:3:\d+: notify\.channels\[1\]/);
    expect(problems[1]).toMatch(/^\/ws\/\.fleetai\/orchestrator\.json:4:\d+: notify\.min_level/);
  });

  it('refuses a retry ceiling below its start, and a webhook URL written in the file', () => {
    expect(() =>
      parseOrchestratorConfig(file, '{"notify": {"retry_min_seconds": 60, "retry_max_seconds": 10}}'),
    ).toThrow(/notify\.retry_max_seconds: must not be less than retry_min_seconds/);
    // Only variable names belong in the file: a URL is not a valid name, and the key stays out of the file.
    expect(() =>
      parseOrchestratorConfig(
        file,
        '{"notify": {"wecom_webhook_env": "https://qyapi.weixin.qq.com/x?key=1"}}',
      ),
    ).toThrow(/notify\.wecom_webhook_env: must be a valid environment variable name/);
  });

  it('picks channels: wecom always by default, slack and webhook when their variable is set, or the list given', async () => {
    const notify = parseOrchestratorConfig(file, '{}').notify;
    const names = async (n: typeof notify, env: Record<string, string>) =>
      (await remoteChannelsFromConfig(n, () => env)).map((c) => c.name);
    expect(await names(notify, {})).toEqual(['wecom']);
    expect(
      await names(notify, { SLACK_WEBHOOK_URL: 'http://x/s', FLEETAI_WEBHOOK_URL: 'http://x/w' }),
    ).toEqual(['wecom', 'slack', 'webhook']);
    const listed = parseOrchestratorConfig(
      file,
      '{"notify": {"channels": ["slack"], "slack_webhook_env": "MY_SLACK"}}',
    ).notify;
    const [slack] = await remoteChannelsFromConfig(listed, () => ({}));
    expect(await slack!.unavailable()).toBe('MY_SLACK is not set');
  });

  it('prefers a secret from VS Code SecretStorage over the environment', async () => {
    const notify = parseOrchestratorConfig(file, '{}').notify;
    const [wecom] = await remoteChannelsFromConfig(notify, () => ({ WECOM_WEBHOOK: 'not a url' }), {
      wecom: {
        describe: 'SecretStorage',
        read: () => Promise.resolve('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k'),
      },
    });
    expect(await wecom!.unavailable()).toBeUndefined();
  });
});
