import { handleChatMessage, type ChatSender } from '../chatops/chatCommands';
import { slackCommandText } from '../chatops/slackCommandText';
import { parseSlashCommand, verifySlackRequest, type SlackSlashCommand } from '../chatops/slackSignature';
import { ErrorCode, FleetError, describeError } from '../errors';
import { chatCommandOptions, chatPorts } from './chatPorts';
import { ReplayGuard, refuse, text, withinDeadline } from './chatRouteSupport';
import type { ChatRoutesOptions } from './chatRouteSupport';
import type { RemoteRequest, RemoteResponse, RemoteRoute } from './routes';

export const SLACK_COMMANDS_PATH = '/slack/commands';

/** Slack shows "operation_timeout" after 3 s; a command slower than this is answered "accepted". */
export const SLACK_REPLY_WITHIN_MS = 2500;

/**
 * Slack slash commands (`/fleet approve ab12`, or `/approve ab12` registered on its own): the v0 signature with
 * the app's signing secret and a timestamp within five minutes, or 401 and nothing decided. The answer is an
 * ephemeral message (only the person who typed the command sees it).
 */
export function slackRoutes(options: ChatRoutesOptions): RemoteRoute[] {
  const { portal, log, remote } = options;
  const now = options.now ?? Date.now;
  const replyWithinMs = options.replyWithinMs?.slack ?? SLACK_REPLY_WITHIN_MS;
  const secret = options.env()[portal.slack_signing_secret_env];
  if (!secret) {
    const off = `Slack slash commands are off: set ${portal.slack_signing_secret_env} (Slack 斜杠命令未启用：请设置该环境变量)`;
    log.info('chat', 'chat.slack_off', { reason: off });
    const handle = (): Promise<RemoteResponse> => Promise.resolve(text(404, `${off}\n`));
    return [{ method: 'POST', path: SLACK_COMMANDS_PATH, auth: 'signature', handle }];
  }
  // Slack puts a fresh trigger_id in every command, so the same signature twice is a captured request replayed.
  const guard = new ReplayGuard(4096, now);
  const commandOptions = chatCommandOptions(portal.allowed_users);

  const handle = async (request: RemoteRequest): Promise<RemoteResponse> => {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const timestamp = header('x-slack-request-timestamp');
    const signature = header('x-slack-signature');
    try {
      verifySlackRequest(secret, { timestamp, signature, rawBody: request.body }, now);
    } catch (error) {
      return refuse(log, 'slack', request, 401, error);
    }
    const replay = guard.check(timestamp ?? '', signature ?? '');
    if (replay) return refuse(log, 'slack', request, 401, slackError(replay));
    // Slack checks the certificate of a command URL now and then with a signed `ssl_check=1` POST.
    if (new URLSearchParams(request.body.toString('utf8')).get('ssl_check') === '1') return text(200, '');
    let command: SlackSlashCommand;
    try {
      command = parseSlashCommand(request.body);
    } catch (error) {
      return refuse(log, 'slack', request, 400, error);
    }
    const sender: ChatSender = {
      channel: 'slack',
      userId: command.userId,
      ...(command.userName ? { userName: command.userName } : {}),
    };
    const reply = await withinDeadline(
      handleChatMessage(slackCommandText(command), sender, chatPorts(remote, sender, log), commandOptions),
      replyWithinMs,
      (late) =>
        log.warn('chat', 'chat.slow_command', {
          channel: 'slack',
          user: sender.userId,
          ...(late.value ? { ok: late.value.ok } : { error: describeError(late.error) }),
        }),
    );
    if (!reply) log.warn('chat', 'chat.reply_accepted', { channel: 'slack', within_ms: replyWithinMs });
    const answer =
      reply?.text ??
      'Accepted; it is taking longer than usual. Send /status for the outcome.\n已受理，处理时间较长，请发送 /status 查看结果。';
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ response_type: 'ephemeral', text: answer }),
    };
  };
  return [{ method: 'POST', path: SLACK_COMMANDS_PATH, auth: 'signature', handle }];
}

function slackError(why: string): FleetError {
  return new FleetError(ErrorCode.ChatSignature, `Slack request refused: ${why}`, { channel: 'slack' });
}
