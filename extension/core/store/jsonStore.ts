import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { ErrorCode, FleetError, describeError } from '../errors';
import { formatIssues } from '../schemas/issues';
import { stateWriteError, stateWriteOsCode } from './stateWriteError';

/**
 * Writes text so that a crash, a full disk or a concurrent reader never sees half a file: the bytes go to a
 * temporary file in the same folder, are flushed to disk, and only then replace the old file with one rename.
 * The old content stays intact until that rename succeeds; a failure the disk causes (EROFS, ENOSPC, EACCES,
 * EPERM, EIO, EDQUOT) is E_STATE_WRITE naming the file and the OS code, anything else E_STORE_WRITE. `keepMode`: a file edited in place (a config the user
 * owns) keeps its permissions; otherwise, and for a new file, it gets `mode` (state files: 0600).
 */
export async function writeTextAtomic(
  file: string,
  text: string,
  options: { mode?: number; keepMode?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await makeFolder(dir);
    const fallback = options.mode ?? 0o600;
    const mode = options.keepMode
      ? await fs.stat(file).then(
          (s) => s.mode & 0o777,
          () => fallback,
        )
      : fallback;
    const handle = await fs.open(tmp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    await syncDirectory(dir);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    // A disk that will not take the write (read-only, full, no permission, I/O error, quota) is E_STATE_WRITE:
    // the supervisor and the executor stop and ask a person instead of retrying into it.
    if (stateWriteOsCode(error)) throw stateWriteError(file, error);
    throw new FleetError(
      ErrorCode.StoreWrite,
      `Could not write ${file}: ${describeError(error)}`,
      { file },
      {
        cause: error,
      },
    );
  }
}

/**
 * `mkdir -p` that reports the real cause: Node's recursive mkdir answers ENOENT when a parent cannot be made on a
 * read-only disk, so the first missing folder is made on its own to get EROFS (or EACCES, ENOSPC) instead.
 */
async function makeFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = dir;
    while (path.dirname(missing) !== missing) {
      const parent = path.dirname(missing);
      if (
        await fs.stat(parent).then(
          () => true,
          () => false,
        )
      )
        break;
      missing = parent;
    }
    await fs.mkdir(missing);
    throw error;
  }
}

/** A file the user edits (a config, a draft): its permissions kept, a new one readable by others (0644). */
export const USER_FILE = { keepMode: true, mode: 0o644 } as const;

/** JSON through `writeTextAtomic`, mode 0600; a value with no JSON form is a write error naming the file. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, null, 2);
    if (json === undefined) throw new TypeError('the value has no JSON form');
  } catch (error) {
    throw new FleetError(
      ErrorCode.StoreWrite,
      `Could not write ${file}: ${describeError(error)}`,
      { file },
      {
        cause: error,
      },
    );
  }
  await writeTextAtomic(file, `${json}\n`, { mode: 0o600 });
}

/** Makes the rename itself durable; some file systems refuse to open a directory, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Not every platform can fsync a directory (Windows cannot); the data itself is already synced.
  } finally {
    await handle?.close();
  }
}

/**
 * Reads and validates a JSON file. Returns `undefined` when the file does not exist; any other problem is a
 * FleetError naming the file and, for schema problems, each offending field.
 */
export async function readJson<S extends z.ZodType>(
  file: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FleetError(
      ErrorCode.StoreRead,
      `Could not read ${file}: ${describeError(error)}`,
      { file },
      {
        cause: error,
      },
    );
  }
  return parseJsonText(file, text, schema);
}

/** Validates JSON text that came from `file` (used for reads, and for content a user is about to save). */
export function parseJsonText<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const where = locateJsonError(text, error);
    throw new FleetError(
      ErrorCode.StoreParse,
      `${file}${where}: not valid JSON (${describeError(error)})`,
      { file },
      { cause: error },
    );
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const problems = formatIssues(result.error.issues);
    throw new FleetError(ErrorCode.StoreSchema, `${file}: ${problems.join('; ')}`, {
      file,
      problems,
      fields: result.error.issues.map((i) => i.path.join('.')),
    });
  }
  return result.data;
}

/**
 * People look for a line and column. V8 reports a character offset ("at position 42") for some errors only,
 * not for "Unexpected token" or "Unexpected end of JSON input"; then the offset is found by scanning.
 */
function locateJsonError(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(describeError(error));
  const offset = match?.[1] ? Number(match[1]) : jsonErrorOffset(text);
  if (offset === undefined) return '';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `:${line}:${column}`;
}

/**
 * The offset where `text` stops being strict JSON, from Microsoft's jsonc-parser (the parser behind VS Code's
 * own JSON editing) with comments and trailing commas disallowed; undefined if it finds no error.
 */
function jsonErrorOffset(text: string): number | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset;
}

/**
 * A folder of schema-checked JSON documents addressed by relative path (the workspace's `.fleetai/state`).
 * Writes to the same document are serialised so that the last call always wins on disk.
 */
export class JsonStore {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(readonly root: string) {}

  resolve(relative: string): string {
    const full = path.resolve(this.root, relative);
    const rel = path.relative(this.root, full);
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new FleetError(ErrorCode.StoreWrite, `${relative} is outside the store ${this.root}`, {
        relative,
      });
    }
    return full;
  }

  // async, so that a path outside the store rejects the promise instead of throwing at the call site.
  async read<S extends z.ZodType>(relative: string, schema: S): Promise<z.output<S> | undefined> {
    return readJson(this.resolve(relative), schema);
  }

  /** Validates before writing: an invalid document never reaches the disk and the saved one stays. */
  async write<S extends z.ZodType>(relative: string, schema: S, value: z.input<S>): Promise<void> {
    const file = this.resolve(relative);
    const checked = schema.safeParse(value);
    if (!checked.success) {
      const problems = formatIssues(checked.error.issues);
      throw new FleetError(ErrorCode.StoreSchema, `${file}: refusing to save, ${problems.join('; ')}`, {
        file,
        problems,
      });
    }
    const previous = this.pending.get(file) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => writeJsonAtomic(file, checked.data));
    this.pending.set(file, next);
    void next
      .finally(() => {
        if (this.pending.get(file) === next) this.pending.delete(file);
      })
      .catch(() => undefined);
    return next;
  }
}
