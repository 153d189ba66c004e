import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, FleetError, describeError } from '../errors';
import { cdata, parseFlatXml } from './flatXml';

/** What a WeCom application's "receive messages" (接收消息) page gives: Token, EncodingAESKey, and the CorpID. */
export interface WecomCallbackConfig {
  token: string;
  /** 43 characters of base64 (without its final `=`), as the admin console generates it. */
  encodingAesKey: string;
  /** The CorpID (企业ID): every decrypted message must end with it. */
  receiveId: string;
}

/** The query WeCom adds to every callback URL. */
export interface WecomCallbackQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
  /** Only on the URL-verification GET. */
  echostr?: string;
}

/** A decrypted message; `content` is set for text messages. */
export interface WecomMessage {
  toUserName: string;
  fromUserName: string;
  createTime: number;
  msgType: string;
  content?: string;
  msgId?: string;
  agentId?: string;
  /** Every field of the decrypted XML, for event types FleetAI does not read itself. */
  fields: Record<string, string>;
}

/** WeCom pads to 32-byte blocks (its PKCS#7 variant), not to AES's 16. */
const PAD_BLOCK = 32;

/** `msg_signature`: SHA1 of token, timestamp, nonce and the encrypted text, sorted as strings and joined. */
export function wecomSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

/**
 * WeCom application callback security (企业微信 回调 加解密): the signature check, AES-256-CBC message
 * decryption and encryption, the URL-verification step, and passive replies. Errors never carry the token, the
 * key or the plaintext: only what was wrong.
 */
export class WecomCrypto {
  private readonly token: string;
  private readonly key: Buffer;
  private readonly receiveId: string;

  constructor(config: WecomCallbackConfig) {
    if (!config.token) throw configError('token', 'is empty');
    if (!/^[A-Za-z0-9+/]{43}$/.test(config.encodingAesKey)) {
      throw configError('encodingAesKey', 'must be 43 base64 characters');
    }
    if (!config.receiveId) throw configError('receiveId', 'is empty (the CorpID)');
    this.token = config.token;
    this.key = Buffer.from(`${config.encodingAesKey}=`, 'base64');
    this.receiveId = config.receiveId;
  }

  /** Throws E_CHAT_SIGNATURE unless `signature` is the msg_signature of these values. */
  verifySignature(signature: string, timestamp: string, nonce: string, encrypt: string): void {
    const expected = Buffer.from(wecomSignature(this.token, timestamp, nonce, encrypt), 'utf8');
    const given = Buffer.from(signature.toLowerCase(), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new FleetError(ErrorCode.ChatSignature, 'WeCom msg_signature does not match', {
        channel: 'wecom',
      });
    }
  }

  /** The message inside `encrypt` (base64), after checking its padding, length and CorpID. */
  decrypt(encrypt: string): string {
    function fail(why: string, cause?: unknown): never {
      throw new FleetError(
        ErrorCode.ChatDecrypt,
        `WeCom message cannot be decrypted: ${why}`,
        { channel: 'wecom' },
        cause === undefined ? undefined : { cause },
      );
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypt)) fail('Encrypt is not base64');
    const cipherText = Buffer.from(encrypt, 'base64');
    if (cipherText.length === 0 || cipherText.length % 16 !== 0) fail('length is not whole AES blocks');
    let padded: Buffer = Buffer.alloc(0);
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
      decipher.setAutoPadding(false);
      padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
    } catch (error) {
      fail(describeError(error), error);
    }
    const pad = padded[padded.length - 1] ?? 0;
    if (pad < 1 || pad > PAD_BLOCK || pad > padded.length) fail('bad padding');
    for (let i = padded.length - pad; i < padded.length; i++) if (padded[i] !== pad) fail('bad padding');
    const plain = padded.subarray(0, padded.length - pad);
    if (plain.length < 20) fail('too short');
    const length = plain.readUInt32BE(16);
    if (20 + length > plain.length) fail('message length is past the end');
    const receiveId = plain.subarray(20 + length).toString('utf8');
    if (receiveId !== this.receiveId) fail('it was encrypted for another CorpID');
    return plain.subarray(20, 20 + length).toString('utf8');
  }

  /** `message` encrypted the way WeCom expects (base64); `random` only for tests with fixed vectors. */
  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    if (random.length !== 16) throw configError('random', 'must be 16 bytes');
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.receiveId, 'utf8')]);
    const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([
      cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
      cipher.final(),
    ]).toString('base64');
  }

  /** The URL-verification GET: checks the signature over `echostr` and returns the text to answer with. */
  verifyUrl(query: WecomCallbackQuery): string {
    if (!query.echostr) {
      throw new FleetError(ErrorCode.ChatSignature, 'WeCom URL verification without echostr', {
        channel: 'wecom',
      });
    }
    this.verifySignature(query.msg_signature, query.timestamp, query.nonce, query.echostr);
    return this.decrypt(query.echostr);
  }

  /** A callback POST: the body's `<Encrypt>` checked against the query's signature, decrypted and read. */
  openMessage(query: WecomCallbackQuery, body: string): WecomMessage {
    const envelope = parseFlatXml(body, 'WeCom callback body');
    const encrypt = envelope.Encrypt;
    if (!encrypt) {
      throw new FleetError(ErrorCode.ChatDecrypt, 'WeCom callback body has no <Encrypt>', {
        channel: 'wecom',
      });
    }
    this.verifySignature(query.msg_signature, query.timestamp, query.nonce, encrypt);
    const fields = parseFlatXml(this.decrypt(encrypt), 'WeCom message');
    const createTime = Number(fields.CreateTime ?? '0');
    return {
      toUserName: fields.ToUserName ?? '',
      fromUserName: fields.FromUserName ?? '',
      createTime: Number.isFinite(createTime) ? createTime : 0,
      msgType: fields.MsgType ?? '',
      ...(fields.Content !== undefined ? { content: fields.Content } : {}),
      ...(fields.MsgId !== undefined ? { msgId: fields.MsgId } : {}),
      ...(fields.AgentID !== undefined ? { agentId: fields.AgentID } : {}),
      fields,
    };
  }

  /**
   * A passive text reply to `message`, encrypted and signed: the body to answer the callback POST with.
   * `timestamp` (seconds) and `nonce` are WeCom's or fresh ones.
   */
  sealTextReply(
    message: Pick<WecomMessage, 'fromUserName' | 'toUserName'>,
    text: string,
    timestamp: string = String(Math.floor(Date.now() / 1000)),
    nonce: string = randomBytes(8).toString('hex'),
  ): string {
    const reply =
      `<xml><ToUserName>${cdata(message.fromUserName)}</ToUserName>` +
      `<FromUserName>${cdata(message.toUserName)}</FromUserName>` +
      `<CreateTime>${timestamp}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
      `<Content>${cdata(text)}</Content></xml>`;
    const encrypt = this.encrypt(reply);
    const signature = wecomSignature(this.token, timestamp, nonce, encrypt);
    return (
      `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
      `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
    );
  }
}

function configError(field: string, why: string): FleetError {
  return new FleetError(ErrorCode.ConfigInvalid, `WeCom callback ${field} ${why}`, { field });
}
