import * as vscode from 'vscode';
import type { OrchestratorConfig } from '../core/config/orchestratorConfig';
import { describeError } from '../core/errors';
import type { ChannelSecrets, Notifier, SecretSource } from '../core/notify';
import type { Logger } from '../core/observability/appLog';
import type { ApprovalRecordView, Notification } from '../core/supervisor/ports';

/**
 * The VS Code side of the notifier: the window's own notification (Approve / Deny / Show) as the local channel,
 * and webhook URLs kept in SecretStorage (never in settings or orchestrator.json), looked at before the
 * environment variables.
 */

export const NOTIFY_SECRET_KEYS = {
  wecom: 'fleetai.notify.wecomWebhook',
  slack: 'fleetai.notify.slackWebhook',
  webhook: 'fleetai.notify.webhookUrl',
  webhookSecret: 'fleetai.notify.webhookSecret',
} as const;

type SecretName = keyof typeof NOTIFY_SECRET_KEYS;

/** SecretStorage sources, read again on every send: a URL stored later brings a degraded channel back. */
export function notifySecretSources(secrets: vscode.SecretStorage): ChannelSecrets {
  const source = (name: SecretName): SecretSource => ({
    describe: `VS Code SecretStorage (${NOTIFY_SECRET_KEYS[name]})`,
    read: async () => (await secrets.get(NOTIFY_SECRET_KEYS[name]))?.trim() || undefined,
  });
  return {
    wecom: source('wecom'),
    slack: source('slack'),
    webhook: source('webhook'),
    webhookSecret: source('webhookSecret'),
  };
}

/**
 * The window's Notifier: `show` (the host's existing notification with Approve / Deny) gets every event; the
 * remote channels what needs a person. Never throws: without a notifier the window still shows its own.
 */
export async function windowNotifier(options: {
  config: OrchestratorConfig;
  log: Logger;
  approvals: { pending(): Promise<ApprovalRecordView[]> };
  secrets?: ChannelSecrets;
  show: (notification: Notification) => void;
}): Promise<{ notify(n: Notification): void; close(): void }> {
  try {
    const { notifierFromConfig, notificationFromEvent } = await import('../core/notify');
    const notifier: Notifier = await notifierFromConfig({
      config: options.config,
      log: options.log,
      approvals: options.approvals,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      local: [(event) => options.show(notificationFromEvent(event))],
    });
    return { notify: (n) => notifier.notify(n), close: () => notifier.close() };
  } catch (error) {
    options.log.warn('notify', 'notify.unavailable', { error: describeError(error) });
    return { notify: options.show, close: () => undefined };
  }
}

/**
 * `FleetAI: Set Notification Webhook`: stores (or, given an empty value, removes) one channel's URL or the
 * webhook signing secret in SecretStorage. The value is never logged.
 */
export async function setNotifyWebhook(
  secrets: vscode.SecretStorage,
  log: Logger,
): Promise<boolean | undefined> {
  const items: (vscode.QuickPickItem & { name: SecretName })[] = [
    { name: 'wecom', label: vscode.l10n.t('WeCom group robot webhook URL') },
    { name: 'slack', label: vscode.l10n.t('Slack incoming webhook URL') },
    { name: 'webhook', label: vscode.l10n.t('Generic JSON webhook URL') },
    { name: 'webhookSecret', label: vscode.l10n.t('Generic webhook signing secret') },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: vscode.l10n.t('Which notification secret to set'),
  });
  if (!picked) return undefined;
  const value = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Kept in VS Code SecretStorage, never in a file. Leave empty to remove it.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) =>
      picked.name === 'webhookSecret' || !text.trim() || /^https?:\/\/\S+$/.test(text.trim())
        ? undefined
        : vscode.l10n.t('Enter an http:// or https:// URL'),
  });
  if (value === undefined) return undefined;
  if (!value.trim()) {
    await secrets.delete(NOTIFY_SECRET_KEYS[picked.name]);
    log.info('notify', 'notify.secret.removed', { secret: picked.name });
    return false;
  }
  await secrets.store(NOTIFY_SECRET_KEYS[picked.name], value.trim());
  log.info('notify', 'notify.secret.stored', { secret: picked.name });
  return true;
}
