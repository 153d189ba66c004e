import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** What every part of FleetAI logs through; the VS Code host, the CLI and tests each supply one. */
export interface Logger {
  log(level: LogLevel, category: string, event: string, context?: Record<string, unknown>): void;
  info(category: string, event: string, context?: Record<string, unknown>): void;
  warn(category: string, event: string, context?: Record<string, unknown>): void;
  error(category: string, event: string, context?: Record<string, unknown>): void;
  debug(category: string, event: string, context?: Record<string, unknown>): void;
  /** Resolves once everything logged so far is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keys whose values never reach the log, wherever they appear in a context (API keys, webhook keys, tokens),
 * compared without regard to case.
 */
const SECRET_KEYS = new Set(
  [
    'apiKey',
    'api_key',
    'token',
    'accessToken',
    'secret',
    'password',
    'authorization',
    'webhookKey',
    'cookie',
  ].map((key) => key.toLowerCase()),
);
const REDACTED = '[redacted]';
const CIRCULAR = '[Circular]';
/** Deeper than any context FleetAI builds; past it values are dropped rather than walked (or left unchecked). */
const MAX_DEPTH = 32;
const TOO_DEEP = '[too deep]';

const isSecretKey = (key: string): boolean => SECRET_KEYS.has(key.toLowerCase());

/**
 * The context as the log may keep it: every secret key's value replaced at any depth, in objects and arrays.
 * pino's own path redaction needed one wildcard path per depth (`context.*.*.token`) and cost 50-130 µs a line
 * (test/bench/app-log.mjs); this walks the context once. A flat context with no secret key, the common case,
 * comes back as is; otherwise only the objects on the way to a secret are copied, the caller's never change.
 */
export function redactContext(context: Record<string, unknown>): Record<string, unknown> {
  for (const key in context) {
    const value = context[key];
    if ((typeof value === 'object' && value !== null) || isSecretKey(key)) {
      return redactValue(context, '', []) as Record<string, unknown>;
    }
  }
  return context;
}

function redactValue(input: unknown, key: string, ancestors: object[]): unknown {
  let value = input;
  // Serialised as JSON.stringify would (Date, Buffer, URL...): what toJSON returns is what reaches the file.
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return CIRCULAR;
  if (ancestors.length >= MAX_DEPTH) return TOO_DEEP;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const kept = redactValue(item, String(i), ancestors);
        if (kept !== item) (copy ??= value.slice())[i] = kept;
      }
      return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(record)) {
      const item = record[k];
      const kept = item !== undefined && isSecretKey(k) ? REDACTED : redactValue(item, k, ancestors);
      if (kept !== item) (copy ??= { ...record })[k] = kept;
    }
    return copy ?? value;
  } finally {
    ancestors.pop();
  }
}

export interface AppLogOptions {
  /** The JSONL file, normally `<workspace>/.fleetai/logs/app.jsonl`. */
  file: string;
  level?: LogLevel;
  /** Synchronous writes: slower, but nothing is lost if the process dies right after logging (CLI, tests). */
  sync?: boolean;
  /** Told once when the file cannot be written; by default a line on stderr. */
  onError?: (error: Error) => void;
}

/**
 * The one application log: JSON lines with `ts`, `level`, `category`, `event` and `context`, written with pino
 * because it is the fastest well-kept JSON logger for Node; secrets are taken out by redactContext() first.
 */
export function createAppLog(options: AppLogOptions): Logger {
  mkdirSync(path.dirname(options.file), { recursive: true });
  // minLength 1 still writes each line at once; at the default minLength 0, sonic-boom's flush() does nothing,
  // so flush() resolved before an asynchronous open or write had reached the file.
  const destination = pino.destination({
    dest: options.file,
    sync: options.sync ?? false,
    mkdir: true,
    minLength: 1,
  });
  // A log that cannot be written (folder removed, disk full) must never take the host down with it: report
  // the first failure once and keep running.
  let reportedFailure = false;
  destination.on('error', (error: Error) => {
    if (reportedFailure) return;
    reportedFailure = true;
    (
      options.onError ??
      ((e: Error) => process.stderr.write(`FleetAI: cannot write ${options.file}: ${e.message}\n`))
    )(error);
  });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'event',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  // pino writes the message key after the object; keeping `event` in the object keeps the documented key order
  // (ts, level, category, event, context) readable in `tail -f`.
  let closed = false;
  return {
    ...levelMethods((level, category, event, context) => {
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        context === undefined ? { category, event } : { category, event, context: safeContext(context) },
      );
    }),
    flush: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        logger.flush(() => resolve());
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        logger.flush(() => {
          destination.end();
          resolve();
        });
      }),
  };
}

/** Logging never throws into its caller: a context whose getter or toJSON throws is replaced, not written. */
function safeContext(context: Record<string, unknown>): Record<string, unknown> {
  try {
    return redactContext(context);
  } catch (error) {
    return { unloggable_context: error instanceof Error ? error.message : String(error) };
  }
}

type WriteFn = (level: LogLevel, category: string, event: string, context?: Record<string, unknown>) => void;

/** The per-level shorthands every Logger offers, on top of one write function. */
function levelMethods(write: WriteFn): Pick<Logger, 'log' | 'info' | 'warn' | 'error' | 'debug'> {
  return {
    log: write,
    info: (c, e, ctx) => write('info', c, e, ctx),
    warn: (c, e, ctx) => write('warn', c, e, ctx),
    error: (c, e, ctx) => write('error', c, e, ctx),
    debug: (c, e, ctx) => write('debug', c, e, ctx),
  };
}

/** For hosts that have no workspace to write into, and for tests that only need a sink. */
export function createMemoryLog(): Logger & { readonly lines: ReadonlyArray<Record<string, unknown>> } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    ...levelMethods((level, category, event, context) =>
      lines.push({ ts: new Date().toISOString(), level, category, event, ...(context ? { context } : {}) }),
    ),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
