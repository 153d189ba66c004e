import type { ErrorClass, PaneErrorInfo } from '../panes/types';

/**
 * An error the screen rule or the protocol could not place (class `unknown`) is read once more by its words: a
 * missing key must go to a human at once (never retried), a rate limit must wait, a network error may retry.
 */
const BY_WORDS: [ErrorClass, RegExp][] = [
  [
    'auth',
    /missing environment variable|api[ _-]?key|unauthori[sz]ed|\b401\b|\b403\b|forbidden|invalid (x-)?api|not logged in|log ?in again|authenticat|credential|token (is )?(expired|invalid)/i,
  ],
  ['rate_limit', /\b429\b|rate[ -]?limit|too many requests|quota|usage limit/i],
  [
    'network',
    /ECONN(RESET|REFUSED)|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|network|socket hang up|stream disconnected|connection (reset|refused|closed)|timed? ?out/i,
  ],
  ['server', /\b5\d\d\b|internal server error|overloaded|high demand|bad gateway|service unavailable/i],
];

export function refineErrorClass(error: PaneErrorInfo): PaneErrorInfo {
  if (error.class !== 'unknown') return error;
  for (const [cls, re] of BY_WORDS) if (re.test(error.message)) return { ...error, class: cls };
  return error;
}
