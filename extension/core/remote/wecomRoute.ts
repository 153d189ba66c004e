import { handleChatMessage, type ChatSender } from '../chatops/chatCommands';
import { parseFlatXml } from '../chatops/flatXml';
import { WecomCrypto, type WecomCallbackQuery } from '../chatops/wecomCrypto';
import { ErrorCode, FleetError, describeError } from '../errors';
import { chatCommandOptions, chatPorts } from './chatPorts';
import { ReplayGuard, peerOf, refuse, text, timestampProblem, withinDeadline } from './chatRouteSupport';
import type { ChatRoutesOptions } from './chatRouteSupport';
import type { RemoteRequest, RemoteResponse, RemoteRoute } from './routes';

export const WECOM_CALLBACK_PATH = '/wecom/callback';

/** WeCom gives a callback 5 s and then retries; a command slower than this is answered "accepted". */
export const WECOM_REPLY_WITHIN_MS = 4000;

/** How many message ids are remembered, so a retried message is answered once. */
const SEEN_MESSAGES = 1024;

/**
 * The WeCom application callback (企业微信 应用 接收消息): GET verifies the URL, POST carries an encrypted message
 * whose text is a chat command; the answer is an encrypted passive reply. Every request proves itself by its
 * msg_signature, its timestamp (five minutes) and a nonce not seen before; otherwise 401 and nothing is decided.
 */
export function wecomRoutes(options: ChatRoutesOptions): RemoteRoute[] {
  const { portal, log, remote } = options;
  const now = options.now ?? Date.now;
  const replyWithinMs = options.replyWithinMs?.wecom ?? WECOM_REPLY_WITHIN_MS;
  const setup = wecomSetup(options);
  if (!setup.crypto) {
    // Missing variables: an install without WeCom, said once. A bad value: a mistake, said as a warning.
    if (setup.invalid)
      log.warn('chat', 'chat.wecom_off', { code: ErrorCode.ConfigInvalid, reason: setup.off });
    else log.info('chat', 'chat.wecom_off', { reason: setup.off });
    const off = (): Promise<RemoteResponse> => Promise.resolve(text(404, `${setup.off}\n`));
    return [
      { method: 'GET', path: WECOM_CALLBACK_PATH, auth: 'signature', handle: off },
      { method: 'POST', path: WECOM_CALLBACK_PATH, auth: 'signature', handle: off },
    ];
  }
  const crypto = setup.crypto;
  const guard = new ReplayGuard(4096, now);
  const seenMessages = new Set<string>();
  const commandOptions = chatCommandOptions(portal.allowed_users);

  /** The query's fields, or a 400 naming the missing one. */
  const readQuery = (request: RemoteRequest, needEcho: boolean): WecomCallbackQuery | RemoteResponse => {
    const q = request.query;
    const names = ['msg_signature', 'timestamp', 'nonce', ...(needEcho ? ['echostr'] : [])];
    const missing = names.filter((n) => !q.get(n));
    if (missing.length > 0) {
      return refuse(log, 'wecom', request, 400, wecomError(`query has no ${missing.join(', ')}`));
    }
    // Base64 holds no spaces: a `+` left unescaped by a proxy reads as a space, and is put back.
    const echostr = q.get('echostr')?.replaceAll(' ', '+');
    return {
      msg_signature: q.get('msg_signature') ?? '',
      timestamp: q.get('timestamp') ?? '',
      nonce: q.get('nonce') ?? '',
      ...(echostr ? { echostr } : {}),
    };
  };

  /** Timestamp and nonce, checked once the signature is known good (so a forger cannot burn nonces). */
  const replayed = (query: WecomCallbackQuery): FleetError | undefined => {
    const problem = guard.check(query.timestamp, query.nonce);
    return problem ? wecomError(problem) : undefined;
  };

  const verifyUrl = (request: RemoteRequest): Promise<RemoteResponse> => {
    const query = readQuery(request, true);
    if ('status' in query) return Promise.resolve(query);
    const stale = timestampProblem(query.timestamp, now);
    if (stale) return Promise.resolve(refuse(log, 'wecom', request, 401, wecomError(stale)));
    let echo: string;
    try {
      echo = crypto.verifyUrl(query);
    } catch (error) {
      return Promise.resolve(refuse(log, 'wecom', request, 401, error));
    }
    const replay = replayed(query);
    if (replay) return Promise.resolve(refuse(log, 'wecom', request, 401, replay));
    log.info('chat', 'chat.wecom_url_verified', peerOf(request));
    return Promise.resolve(text(200, echo));
  };

  const receive = async (request: RemoteRequest): Promise<RemoteResponse> => {
    const query = readQuery(request, false);
    if ('status' in query) return query;
    const body = request.body.toString('utf8');
    try {
      if (!parseFlatXml(body, 'WeCom callback body').Encrypt) throw wecomError('body has no <Encrypt>');
    } catch (error) {
      return refuse(log, 'wecom', request, 400, error);
    }
    const stale = timestampProblem(query.timestamp, now);
    if (stale) return refuse(log, 'wecom', request, 401, wecomError(stale));
    let message;
    try {
      // Signature over (token, timestamp, nonce, Encrypt), then AES decryption and the CorpID check.
      message = crypto.openMessage(query, body);
    } catch (error) {
      return refuse(log, 'wecom', request, 401, error);
    }
    const replay = replayed(query);
    if (replay) return refuse(log, 'wecom', request, 401, replay);
    if (!message.fromUserName)
      return refuse(log, 'wecom', request, 400, wecomError('message has no FromUserName'));

    // WeCom retries a message it got no answer for; the same MsgId is acknowledged, not run twice.
    if (message.msgId) {
      if (seenMessages.has(message.msgId)) return text(200, '');
      seenMessages.add(message.msgId);
      if (seenMessages.size > SEEN_MESSAGES) seenMessages.delete(seenMessages.values().next().value ?? '');
    }
    if (message.msgType !== 'text') {
      // Events (entering the app, menu clicks) and pictures carry no command: an empty answer means no reply.
      log.debug('chat', 'chat.wecom_ignored', { msg_type: message.msgType, user: message.fromUserName });
      return text(200, '');
    }
    const sender: ChatSender = { channel: 'wecom', userId: message.fromUserName };
    const reply = await withinDeadline(
      handleChatMessage(message.content ?? '', sender, chatPorts(remote, sender, log), commandOptions),
      replyWithinMs,
      (late) =>
        log.warn('chat', 'chat.slow_command', {
          channel: 'wecom',
          user: sender.userId,
          ...(late.value ? { ok: late.value.ok } : { error: describeError(late.error) }),
        }),
    );
    if (!reply) log.warn('chat', 'chat.reply_accepted', { channel: 'wecom', within_ms: replyWithinMs });
    const answer =
      reply?.text ??
      'Accepted; it is taking longer than usual. Send /status for the outcome.\n已受理，处理时间较长，请发送 /status 查看结果。';
    return {
      status: 200,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: crypto.sealTextReply(message, answer, query.timestamp, query.nonce),
    };
  };

  return [
    { method: 'GET', path: WECOM_CALLBACK_PATH, auth: 'signature', handle: verifyUrl },
    { method: 'POST', path: WECOM_CALLBACK_PATH, auth: 'signature', handle: receive },
  ];
}

/** The callback's crypto from the three environment variables, or why WeCom callbacks are off. */
function wecomSetup(options: ChatRoutesOptions): { crypto?: WecomCrypto; off: string; invalid?: true } {
  const { portal } = options;
  const env = options.env();
  const names = {
    token: portal.wecom_token_env,
    encodingAesKey: portal.wecom_aes_key_env,
    receiveId: portal.wecom_corp_id_env,
  };
  const missing = Object.values(names).filter((name) => !env[name]);
  if (missing.length > 0) {
    return {
      off: `WeCom callbacks are off: set ${missing.join(', ')} (企业微信回调未启用：请设置这些环境变量)`,
    };
  }
  try {
    return {
      off: '',
      crypto: new WecomCrypto({
        token: env[names.token] ?? '',
        encodingAesKey: env[names.encodingAesKey] ?? '',
        receiveId: env[names.receiveId] ?? '',
      }),
    };
  } catch (error) {
    const field = error instanceof FleetError ? error.details?.field : undefined;
    const variable = typeof field === 'string' && field in names ? names[field as keyof typeof names] : '';
    return {
      invalid: true,
      off: `WeCom callbacks are off: ${variable ? `${variable}: ` : ''}${describeError(error)}`,
    };
  }
}

function wecomError(why: string): FleetError {
  return new FleetError(ErrorCode.ChatSignature, `WeCom request refused: ${why}`, { channel: 'wecom' });
}
