import { ErrorCode, FleetError, describeError } from '../errors';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import type { Logger } from '../observability/appLog';
import type { RemoteSupervisor } from './remoteSupervisor';
import type { RemoteRequest, RemoteResponse } from './routes';

/** What the chat routes need (extension/core/remote/chatRoutes.ts). */
export interface ChatRoutesOptions {
  portal: OrchestratorConfig['portal'];
  /** Where the callback secrets are read (named by the portal section's *_env keys). */
  env: () => Record<string, string | undefined>;
  remote: RemoteSupervisor;
  log: Logger;
  /** The clock the timestamp checks use (tests). */
  now?: () => number;
  /** How long a command may take before the chat is answered "accepted" (defaults: WeCom 4 s, Slack 2.5 s). */
  replyWithinMs?: { wecom?: number; slack?: number };
}

/** Chat platforms sign requests with a timestamp; anything further from now than this is refused. */
export const CHAT_MAX_AGE_SECONDS = 5 * 60;

/**
 * Refuses a signed request seen before: its timestamp must be within five minutes of now and its nonce new.
 * A nonce is remembered for as long as its timestamp would be accepted, and at most `capacity` of them (the
 * oldest forgotten first), so memory stays small whatever arrives.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly capacity = 4096,
    private readonly now: () => number = Date.now,
  ) {}

  /** The reason to refuse, or undefined; only call it once the signature over timestamp and nonce is verified. */
  check(timestamp: string, nonce: string): string | undefined {
    const stale = timestampProblem(timestamp, this.now);
    if (stale) return stale;
    const nowSeconds = Math.floor(this.now() / 1000);
    for (const [key, expires] of this.seen) {
      if (expires >= nowSeconds && this.seen.size < this.capacity) break;
      this.seen.delete(key);
    }
    if (this.seen.has(nonce)) return 'nonce was already used (replayed request)';
    this.seen.set(nonce, Number(timestamp) + CHAT_MAX_AGE_SECONDS);
    return undefined;
  }
}

/** Why `timestamp` (seconds since the epoch) is not acceptable now, or undefined. */
export function timestampProblem(timestamp: string, now: () => number = Date.now): string | undefined {
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp is not a number';
  const age = Math.abs(Math.floor(now() / 1000) - Number(timestamp));
  return age > CHAT_MAX_AGE_SECONDS ? `timestamp is ${age} s away from now (more than 5 minutes)` : undefined;
}

/** Who sent the request, for the log: the socket's peer and what a reverse proxy says it forwarded. */
export function peerOf(request: RemoteRequest): Record<string, string> {
  const forwarded = request.headers['x-forwarded-for'];
  return {
    peer: request.remoteAddress ?? 'unknown',
    ...(typeof forwarded === 'string' ? { forwarded_for: forwarded.slice(0, 200) } : {}),
  };
}

/** A refused request: one warn line naming the peer and the reason (never a secret or the body), nothing decided. */
export function refuse(
  log: Pick<Logger, 'warn'>,
  channel: 'wecom' | 'slack',
  request: RemoteRequest,
  status: 400 | 401,
  error: unknown,
): RemoteResponse {
  const code = error instanceof FleetError ? error.code : ErrorCode.ChatSignature;
  const reason = describeError(error);
  log.warn('chat', 'chat.refused', { channel, status, code, reason, ...peerOf(request) });
  return text(status, `${status === 401 ? 'Unauthorized' : 'Bad request'}: ${reason}\n`);
}

export function text(status: number, body: string): RemoteResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/**
 * The command's result, or `undefined` when it takes longer than `ms` (the platform would retry or show an
 * error). The work goes on; `late` is told how it ended so the log keeps the outcome.
 */
export async function withinDeadline<T>(
  work: Promise<T>,
  ms: number,
  late: (outcome: { value?: T; error?: unknown }) => void,
): Promise<T | undefined> {
  const timedOut = Symbol('timed out');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), ms);
  });
  try {
    const first = await Promise.race([work, timeout]);
    if (first !== timedOut) return first;
    work.then(
      (value) => late({ value }),
      (error: unknown) => late({ error }),
    );
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
