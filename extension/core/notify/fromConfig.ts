import type { OrchestratorConfig } from '../config/orchestratorConfig';
import type { Logger } from '../observability/appLog';
import type { ApprovalRecordView } from '../supervisor/ports';
import { envSecret, firstSecret, type SecretSource } from './channels/secretSource';
import { slackChannel } from './channels/slack';
import { webhookChannel } from './channels/webhook';
import { wecomChannel } from './channels/wecom';
import { Notifier, type NotifierSettings } from './notifier';
import type { LocalChannel, NotifyClock, RemoteChannel } from './types';

type NotifyConfig = OrchestratorConfig['notify'];
type ChannelName = 'wecom' | 'slack' | 'webhook';

export const DEFAULT_SLACK_ENV = 'SLACK_WEBHOOK_URL';
export const DEFAULT_WEBHOOK_ENV = 'FLEETAI_WEBHOOK_URL';

export function notifierSettings(notify: NotifyConfig): NotifierSettings {
  return {
    minLevel: notify.min_level,
    dedupeMs: notify.dedupe_seconds * 1000,
    perMinute: notify.rate_per_minute,
    burst: notify.burst,
    timeoutMs: notify.timeout_seconds * 1000,
    retryMinMs: notify.retry_min_seconds * 1000,
    retryMaxMs: notify.retry_max_seconds * 1000,
    dropSummaryMs: 60_000,
  };
}

export interface ChannelSecrets {
  /** The VS Code host's SecretStorage, looked at before the environment. */
  wecom?: SecretSource;
  slack?: SecretSource;
  webhook?: SecretSource;
  webhookSecret?: SecretSource;
}

/**
 * The remote channels the config asks for. `channels` left out: WeCom (the seeds' channel, so a missing
 * WECOM_WEBHOOK is reported as scenario G wants), plus Slack and the webhook when their variable or secret is set.
 */
export async function remoteChannelsFromConfig(
  notify: NotifyConfig,
  env: () => Record<string, string | undefined>,
  secrets: ChannelSecrets = {},
  now?: () => number,
): Promise<RemoteChannel[]> {
  const source = (name: string, stored?: SecretSource): SecretSource =>
    stored ? firstSecret([stored, envSecret(name, env)]) : envSecret(name, env);
  const wecom = source(notify.wecom_webhook_env, secrets.wecom);
  const slack = source(notify.slack_webhook_env ?? DEFAULT_SLACK_ENV, secrets.slack);
  const webhook = source(notify.webhook_url_env ?? DEFAULT_WEBHOOK_ENV, secrets.webhook);
  const signing = notify.webhook_secret_env
    ? source(notify.webhook_secret_env, secrets.webhookSecret)
    : secrets.webhookSecret;

  let names: readonly ChannelName[];
  if (notify.channels) names = [...new Set(notify.channels)];
  else {
    const set = async (s: SecretSource) => Boolean(await s.read());
    names = [
      'wecom' as const,
      ...((await set(slack)) ? (['slack'] as const) : []),
      ...((await set(webhook)) ? (['webhook'] as const) : []),
    ];
  }
  return names.map((name) => {
    switch (name) {
      case 'wecom':
        return wecomChannel({ url: wecom, msgtype: notify.wecom_msgtype });
      case 'slack':
        return slackChannel({ url: slack });
      case 'webhook':
        return webhookChannel({
          url: webhook,
          ...(signing ? { secret: signing } : {}),
          ...(now ? { now } : {}),
        });
    }
  });
}

export interface NotifierFromConfigOptions {
  config: OrchestratorConfig;
  log: Logger;
  env?: () => Record<string, string | undefined>;
  secrets?: ChannelSecrets;
  local?: LocalChannel[];
  /** The supervisor's approvals, for an approval's command and risk and for what is still pending. */
  approvals?: { pending(): Promise<ApprovalRecordView[]> };
  clock?: NotifyClock;
}

/** A started Notifier for `fleet orchestrator` and the VS Code window alike. */
export async function notifierFromConfig(options: NotifierFromConfigOptions): Promise<Notifier> {
  const env = options.env ?? (() => process.env);
  const remote = await remoteChannelsFromConfig(
    options.config.notify,
    env,
    options.secrets,
    options.clock ? () => options.clock!.now() : undefined,
  );
  const approvals = options.approvals;
  const find = async (id: string) => (await approvals?.pending())?.find((r) => r.id === id);
  const notifier = new Notifier({
    log: options.log,
    settings: notifierSettings(options.config.notify),
    remote,
    ...(options.local ? { local: options.local } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(approvals
      ? {
          approvalFacts: async (id: string) => {
            const record = await find(id);
            return record
              ? {
                  id,
                  ...(record.command ? { command: record.command } : {}),
                  risk: record.risk,
                  kind: record.kind,
                }
              : undefined;
          },
          isPending: async (id: string) => (await find(id)) !== undefined,
        }
      : {}),
  });
  await notifier.start();
  return notifier;
}
