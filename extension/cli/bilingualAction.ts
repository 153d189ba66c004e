import { describeError, ErrorCode, isFleetError } from '../core/errors';
import type { CliIo } from './io';

/** One message in both languages; the reader's locale picks which is printed. */
export type Say = (en: string, zh: string) => string;

/**
 * Runs a command's action in the reader's language (FLEETAI_LOCALE, LC_ALL, LANG) and turns a failure into exit
 * code 1 and one error: with --json a `{ ok: false, error }` object on stdout, so scripts always get JSON; else
 * `CODE: message` on stderr, followed by the problems (`details.problems`) the message does not already list.
 */
export async function runBilingual(
  io: CliIo,
  json: boolean | undefined,
  action: (say: Say) => Promise<void>,
): Promise<void> {
  const { planLocaleFromEnv } = await import('../core/plans/planMessages');
  const zh = planLocaleFromEnv() === 'zh-cn';
  const say: Say = (en, cn) => (zh ? cn : en);
  try {
    await action(say);
  } catch (error) {
    process.exitCode = 1;
    if (json) {
      const fleet = isFleetError(error)
        ? { code: error.code, message: error.message, details: error.details ?? {} }
        : { code: ErrorCode.Internal, message: describeError(error), details: {} };
      io.out(`${JSON.stringify({ ok: false, error: fleet }, null, 2)}\n`);
      return;
    }
    const message = describeError(error);
    io.err(`${isFleetError(error) ? `${error.code}: ` : ''}${message}\n`);
    const problems =
      isFleetError(error) && Array.isArray(error.details?.problems) ? error.details.problems : [];
    for (const problem of problems.map(String).filter((p) => !message.includes(p))) io.err(`  ${problem}\n`);
  }
}

/**
 * Asks a yes/no question on the terminal. Only y, yes or 是 is yes; a closed or failing input is no, and its error
 * goes to `onError` (the caller prints it) rather than ending the command.
 */
export async function askYes(question: string, onError?: (error: unknown) => void): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes|是)$/i.test((await rl.question(question)).trim());
  } catch (error) {
    onError?.(error);
    return false;
  } finally {
    rl.close();
  }
}
