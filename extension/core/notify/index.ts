export { Notifier, eventFromNotification, notificationFromEvent, type NotifierSettings } from './notifier';
export {
  notifierFromConfig,
  notifierSettings,
  remoteChannelsFromConfig,
  type ChannelSecrets,
} from './fromConfig';
export { ChannelFailure } from './channelFailure';
export { maskUrl, redact } from './mask';
export { reachesRemote, dedupeKey, Deduper, TokenBucket } from './filter';
export type { ChannelStatus } from './channelRunner';
export type { NotifyEvent, RemoteChannel, LocalChannel, NotifyClock, ApprovalFacts } from './types';
export type { SecretSource } from './channels/secretSource';
export { wecomChannel, wecomPayload } from './channels/wecom';
export { slackChannel, slackPayload } from './channels/slack';
export {
  webhookChannel,
  webhookPayload,
  signBody,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from './channels/webhook';
