import { ChannelFailure } from './channelFailure';

export interface PostResult {
  status: number;
  body: string;
}

/**
 * One POST with a body, bounded by `signal` (the notifier's per-request timeout). Network problems become
 * ChannelFailures without the URL in them: the caller's message names the channel, and the URL holds the key.
 */
export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'error' });
  } catch (error) {
    if (signal.aborted) throw new ChannelFailure('timeout', 'no answer before the timeout');
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ChannelFailure(
      'unreachable',
      `could not connect (${cause?.code ?? cause?.message ?? 'network error'})`,
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    if (signal.aborted) throw new ChannelFailure('timeout', 'the answer did not finish before the timeout');
    throw new ChannelFailure('unreachable', 'the connection closed during the answer');
  }
  return { status: response.status, body: text };
}

export function postJson(
  url: string,
  payload: unknown,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  return postBody(url, JSON.stringify(payload), { 'content-type': 'application/json', ...headers }, signal);
}

/** Cuts `text` to at most `maxBytes` of UTF-8 (WeCom counts bytes), on a character boundary, marking the cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const mark = '…';
  let out = '';
  let used = Buffer.byteLength(mark, 'utf8');
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out + mark;
}
