import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, FleetError, describeError } from '../errors';

/** The file in the workspace's state folder that keeps the per-install portal token. */
export const PORTAL_TOKEN_FILE = 'portal.token';

/** Shorter than this is not a token anybody meant (a stray newline, a half-written file). */
const MIN_TOKEN_LENGTH = 16;

export interface PortalToken {
  token: string;
  /** Where it came from: the environment variable (its name), or the state file (its path). */
  source: { kind: 'env'; name: string } | { kind: 'file'; file: string; created: boolean };
}

export interface PortalTokenOptions {
  stateDir: string;
  /** `portal.token_env`: the name of the variable that may hold the token. */
  tokenEnv: string;
  env?: Record<string, string | undefined>;
}

/**
 * The portal token: the one in the environment variable named by `portal.token_env` when set, else the one kept
 * in `<stateDir>/portal.token`, made once (32 random bytes, base64url, mode 0600). The VS Code window and
 * `fleet orchestrator` of a workspace read the same file, so a link keeps working whichever of them serves it;
 * deleting the file rotates the token at the next start. The token itself is never logged.
 */
export async function portalToken(options: PortalTokenOptions): Promise<PortalToken> {
  const env = options.env ?? process.env;
  const fromEnv = env[options.tokenEnv]?.trim();
  if (fromEnv) {
    if (fromEnv.length < MIN_TOKEN_LENGTH) {
      throw new FleetError(
        ErrorCode.ConfigInvalid,
        `${options.tokenEnv} holds a portal token of ${fromEnv.length} characters; use at least ${MIN_TOKEN_LENGTH} (or unset it to have one made)`,
        { field: 'portal.token_env', name: options.tokenEnv },
      );
    }
    return { token: fromEnv, source: { kind: 'env', name: options.tokenEnv } };
  }
  const file = path.join(options.stateDir, PORTAL_TOKEN_FILE);
  const existing = await readTokenFile(file);
  if (existing) return { token: existing, source: { kind: 'file', file, created: false } };
  await fs.mkdir(options.stateDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  // Written whole under a temporary name, then linked: link fails when the file exists, so when the window and the
  // CLI start together exactly one token wins and neither reads a half-written file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await fs.link(temporary, file);
      return { token, source: { kind: 'file', file, created: true } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const winner = await readTokenFile(file);
      if (winner) return { token: winner, source: { kind: 'file', file, created: false } };
      throw new FleetError(
        ErrorCode.ConfigInvalid,
        `${file} holds no portal token; delete it to have a new one made`,
        { file },
      );
    }
  } catch (error) {
    if (error instanceof FleetError) throw error;
    throw new FleetError(
      ErrorCode.StoreWrite,
      `Cannot keep the portal token in ${file}: ${describeError(error)}`,
      { file },
      { cause: error },
    );
  } finally {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
  }
}

async function readTokenFile(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FleetError(
      ErrorCode.StoreRead,
      `Cannot read the portal token ${file}: ${describeError(error)}`,
      { file },
      { cause: error },
    );
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${file} holds no usable portal token (${token.length} characters); delete it to have a new one made`,
      { file },
    );
  }
  // A copy restored from a backup may have come back readable by others: the token is a key, keep it private.
  const stat = await fs.stat(file);
  if ((stat.mode & 0o077) !== 0) await fs.chmod(file, 0o600).catch(() => undefined);
  return token;
}
