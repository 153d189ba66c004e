import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WecomCrypto, wecomSignature } from '../../../extension/core/chatops/wecomCrypto';
import { ErrorCode, FleetError } from '../../../extension/core/errors';

// The sample values of WeCom's own callback documentation and sample code (WXBizMsgCrypt).
const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';
const crypto = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: CORP_ID });

const MESSAGE =
  '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>' +
  '<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/approve ab12cd34]]>' +
  '</Content><MsgId>1234567890</MsgId><AgentID>1000002</AgentID></xml>';
const RANDOM = Buffer.from('0123456789abcdef', 'utf8');
// Computed once outside Node (python's struct + `openssl enc -aes-256-cbc -nopad` + hashlib.sha1) from the spec:
// random(16) + length(4, big-endian) + message + CorpID, padded with PKCS#7 to 32-byte blocks.
const MESSAGE_ENCRYPTED =
  'sKqRbbiSUnDhFHOvPjtUMcH/fRLmYOdLTDvgADKvCB+rcY4yKiyRW9RHTqnY93KFA/ijMORgH6hjTVS7yu5uMLcBwq6KeFXGB78SWXaOvO0lp9Tgk' +
  'CvGpy7JzwjWsID8Xpe67LdadJJwqdEN8cU1mMN0+FN+kwiyDRA8MLA7nA5JHGcRGhxgIzIimrkNvdP6VII/E0ZzxOjtlTsdWVqQjU4+8kHGrJkU' +
  '88LFIwmrtPJuN0ksuRzleIVS5LpGZMZxQUYp4mKEcxBJknF9OQZ2K5lIwC1o6huO8tngDIU3LDxM4izn+xw7Jvrnw5xTwNz/czFDVgWgc3oqhDrnm' +
  'AWEz9aEyWZkbzl//dJANwVI2aDPtCRfblIhm2PRDWT0MZuvJXzudD946z3bnuOEO09Ro+xLKDfrF2rzMcwyuj9sj0S9osUcqurSf2DldAN7ozuSLCR9gy2' +
  '78Z5Rs+oMLqa/3w==';
const MESSAGE_SIGNATURE = '9a7393cff004e692cf5f4ee4f07661240a0eeb4f'; // token, 1700000000, nonce42, encrypted

/** An independent encryption straight from the spec with node:crypto, to build bad inputs the module must refuse. */
function specEncrypt(plain: Buffer, padding: Buffer): string {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, padding])), cipher.final()]).toString('base64');
}

function frame(message: string, corpId: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([RANDOM, length, body, Buffer.from(corpId, 'utf8')]);
}

function pkcs7(length: number): Buffer {
  const pad = 32 - (length % 32);
  return Buffer.alloc(pad, pad);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FleetError ? error.code : 'not a FleetError';
  }
  return undefined;
}

describe('WeCom callback crypto', () => {
  it("verifies the URL with WeCom's published sample (signature and echostr)", () => {
    const echo = crypto.verifyUrl({
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    });
    expect(echo).toBe('1616140317555161061');
  });

  it('refuses the URL verification with a wrong signature', () => {
    const query = {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    };
    expect(codeOf(() => crypto.verifyUrl(query))).toBe(ErrorCode.ChatSignature);
    const withoutEcho = {
      msg_signature: query.msg_signature,
      timestamp: query.timestamp,
      nonce: query.nonce,
    };
    expect(codeOf(() => crypto.verifyUrl(withoutEcho))).toBe(ErrorCode.ChatSignature);
  });

  it('encrypts a fixed vector exactly as computed outside Node', () => {
    expect(crypto.encrypt(MESSAGE, RANDOM)).toBe(MESSAGE_ENCRYPTED);
    expect(wecomSignature(TOKEN, '1700000000', 'nonce42', MESSAGE_ENCRYPTED)).toBe(MESSAGE_SIGNATURE);
    // And the same vector again, by hand with node:crypto, so the fixed string itself is checked.
    expect(specEncrypt(frame(MESSAGE, CORP_ID), pkcs7(frame(MESSAGE, CORP_ID).length))).toBe(
      MESSAGE_ENCRYPTED,
    );
    const sha1 = createHash('sha1')
      .update(['nonce42', MESSAGE_ENCRYPTED, '1700000000', TOKEN].sort().join(''))
      .digest('hex');
    expect(sha1).toBe(MESSAGE_SIGNATURE);
  });

  it('opens a signed callback body and reads the text message', () => {
    const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${MESSAGE_ENCRYPTED}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    const message = crypto.openMessage(
      { msg_signature: MESSAGE_SIGNATURE, timestamp: '1700000000', nonce: 'nonce42' },
      body,
    );
    expect(message).toMatchObject({
      fromUserName: 'zhangsan',
      toUserName: CORP_ID,
      msgType: 'text',
      content: '/approve ab12cd34',
      createTime: 1700000000,
      msgId: '1234567890',
      agentId: '1000002',
    });
    expect(
      codeOf(() =>
        crypto.openMessage(
          { msg_signature: MESSAGE_SIGNATURE, timestamp: '1700000001', nonce: 'nonce42' },
          body,
        ),
      ),
    ).toBe(ErrorCode.ChatSignature);
    expect(
      codeOf(() =>
        crypto.openMessage(
          { msg_signature: MESSAGE_SIGNATURE, timestamp: '1700000000', nonce: 'nonce42' },
          '{}',
        ),
      ),
    ).toBe(ErrorCode.ChatDecrypt);
  });

  it('round-trips Chinese text and a sealed passive reply', () => {
    const text = '批准 ab12cd34 ／ｓｔａｔｕｓ ]]> <&>';
    expect(crypto.decrypt(crypto.encrypt(text))).toBe(text);
    const sealed = crypto.sealTextReply(
      { fromUserName: 'zhangsan', toUserName: CORP_ID },
      `已批准 ${text}`,
      '1700000005',
      'n1',
    );
    const signature = /<MsgSignature><!\[CDATA\[([0-9a-f]{40})\]\]><\/MsgSignature>/.exec(sealed)?.[1];
    expect(signature).toBeDefined();
    const reply = crypto.openMessage(
      { msg_signature: signature ?? '', timestamp: '1700000005', nonce: 'n1' },
      sealed,
    );
    expect(reply).toMatchObject({ toUserName: 'zhangsan', fromUserName: CORP_ID, msgType: 'text' });
    expect(reply.content).toBe(`已批准 ${text}`);
  });

  it('refuses a message encrypted for another CorpID', () => {
    const plain = frame('hello', 'wwOTHERCORP');
    expect(codeOf(() => crypto.decrypt(specEncrypt(plain, pkcs7(plain.length))))).toBe(ErrorCode.ChatDecrypt);
    const other = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: 'wwOTHERCORP' });
    expect(codeOf(() => crypto.decrypt(other.encrypt('hello')))).toBe(ErrorCode.ChatDecrypt);
  });

  it('refuses bad padding, bad length and bad base64', () => {
    const plain = frame('hello', CORP_ID);
    const good = pkcs7(plain.length);
    const wrongByte = Buffer.from(good);
    wrongByte[0] = (wrongByte[0] ?? 0) ^ 1;
    expect(codeOf(() => crypto.decrypt(specEncrypt(plain, wrongByte)))).toBe(ErrorCode.ChatDecrypt);
    // A block of zeros: pad byte 0 is never valid.
    const zeros = Buffer.concat([plain, Buffer.alloc(32 - (plain.length % 32), 0)]);
    expect(codeOf(() => crypto.decrypt(specEncrypt(zeros, Buffer.alloc(0))))).toBe(ErrorCode.ChatDecrypt);
    // A length field pointing past the end.
    const longer = Buffer.from(plain);
    longer.writeUInt32BE(5000, 16);
    expect(codeOf(() => crypto.decrypt(specEncrypt(longer, pkcs7(longer.length))))).toBe(
      ErrorCode.ChatDecrypt,
    );
    expect(codeOf(() => crypto.decrypt('not base64!'))).toBe(ErrorCode.ChatDecrypt);
    expect(codeOf(() => crypto.decrypt(Buffer.alloc(20).toString('base64')))).toBe(ErrorCode.ChatDecrypt);
    // The good one, so the cases above fail for the reason they name.
    expect(crypto.decrypt(specEncrypt(plain, good))).toBe('hello');
  });

  it('names the field of a bad config and never echoes the key', () => {
    const bad = (() => {
      try {
        return new WecomCrypto({ token: TOKEN, encodingAesKey: 'secret-key-too-short', receiveId: CORP_ID });
      } catch (error) {
        return error;
      }
    })();
    expect(bad).toBeInstanceOf(FleetError);
    expect((bad as FleetError).message).toContain('encodingAesKey');
    expect((bad as FleetError).message).not.toContain('secret-key-too-short');
  });

  it('keeps errors free of the token and plaintext', () => {
    try {
      crypto.verifySignature('0'.repeat(40), '1', '2', MESSAGE_ENCRYPTED);
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify({ m: (error as Error).message, d: (error as FleetError).details })).not.toContain(
        TOKEN,
      );
    }
  });

  it('decrypts with an independent node:crypto decipher too', () => {
    const key = Buffer.from(`${AES_KEY}=`, 'base64');
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([
      decipher.update(Buffer.from(crypto.encrypt('x'), 'base64')),
      decipher.final(),
    ]);
    expect(padded.length % 32).toBe(0);
    const pad = padded[padded.length - 1] ?? 0;
    expect(padded.subarray(20, 21).toString()).toBe('x');
    expect(padded.subarray(21, padded.length - pad).toString()).toBe(CORP_ID);
  });
});
