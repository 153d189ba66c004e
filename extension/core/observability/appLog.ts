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
 * Keys whose values never reach the log, wherever they appear in a context (API keys, webhook keys, tokens).
 * pino's redaction is path based, so the common nesting depths are listed explicitly.
 */
const SECRET_KEYS = [
  'apiKey',
  'api_key',
  'token',
  'accessToken',
  'secret',
  'password',
  'authorization',
  'Authorization',
  'webhookKey',
  'cookie',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [
  `context.${key}`,
  `context.*.${key}`,
  `context.*.*.${key}`,
]);

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
 * because it is the fastest well-kept JSON logger for Node and redacts secrets by path.
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
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
  // pino writes the message key after the object; keeping `event` in the object keeps the documented key order
  // (ts, level, category, event, context) readable in `tail -f`.
  let closed = false;
  return {
    ...levelMethods((level, category, event, context) =>
      logger[level](context === undefined ? { category, event } : { category, event, context }),
    ),
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
