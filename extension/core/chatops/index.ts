/**
 * Chat operations without a server: WeCom callback crypto, Slack request signatures, and the chat commands
 * (`/approve`, `/deny`, `/status`, `/send`) run over ports. The HTTP endpoints are extension/core/remote/chatRoutes.ts (served by the remote server).
 */
export {
  WecomCrypto,
  wecomSignature,
  type WecomCallbackConfig,
  type WecomCallbackQuery,
  type WecomMessage,
} from './wecomCrypto';
export {
  SLACK_MAX_AGE_SECONDS,
  parseSlashCommand,
  slackSignature,
  verifySlackRequest,
  type SlackRequest,
  type SlackSlashCommand,
} from './slackSignature';
export {
  handleChatMessage,
  isChatCommandWord,
  parseChatCommand,
  runChatCommand,
  type ChatApprovalView,
  type ChatApprovalsPort,
  type ChatAuditEntry,
  type ChatChannel,
  type ChatCommand,
  type ChatCommandOptions,
  type ChatCommandPorts,
  type ChatPaneView,
  type ChatReply,
  type ChatSender,
} from './chatCommands';
export { slackCommandText } from './slackCommandText';
