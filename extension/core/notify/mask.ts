/**
 * Secrets (webhook URLs carry their key) must never reach a log line or an error message. Every string a channel
 * logs goes through `redact`, with the channel's secrets; URLs are shown through `maskUrl`.
 */

const MASK = '***';

/** "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***": enough to tell which service, nothing to reuse. */
export function maskUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return MASK;
  }
  // Slack and Discord put the secret in the path; WeCom and most others in the query. Keep only the first
  // path segment and the query's names.
  const segments = url.pathname.split('/').filter(Boolean);
  const pathPart =
    segments.length === 0
      ? '/'
      : `/${segments.slice(0, url.hostname === 'qyapi.weixin.qq.com' ? 3 : 1).join('/')}` +
        (segments.length > (url.hostname === 'qyapi.weixin.qq.com' ? 3 : 1) ? `/${MASK}` : '');
  const query = [...url.searchParams.keys()].map((k) => `${k}=${MASK}`).join('&');
  return `${url.protocol}//${url.host}${pathPart}${query ? `?${query}` : ''}`;
}

/** Every secret (and, for URLs, their key/token parts) in `text` replaced by "***". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  const parts = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    parts.add(secret);
    try {
      const url = new URL(secret);
      for (const v of url.searchParams.values()) if (v.length >= 4) parts.add(v);
      // Path words ("services", "webhook") are not secrets; ids and tokens mix cases or digits.
      for (const seg of url.pathname.split('/'))
        if (seg.length >= 8 && !/^[a-z-]+$/.test(seg)) parts.add(seg);
    } catch {
      // Not a URL: the value itself is enough.
    }
  }
  // Longest first: a URL is masked whole before its key is looked for.
  for (const part of [...parts].sort((a, b) => b.length - a.length)) out = out.split(part).join(MASK);
  return out;
}
