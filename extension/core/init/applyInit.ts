import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, FleetError, describeError } from '../errors';
import { USER_FILE, writeTextAtomic } from '../store/jsonStore';
import { appendGitignoreLines, missingGitignoreLines } from './gitignore';
import type { InitPlan, PlannedFile } from './planInit';

export interface ApplyInitOptions {
  /** Append the missing `.gitignore` lines (the CLI asks first on a terminal, the palette asks in a dialog). */
  gitignore: boolean;
}

export interface InitResult {
  /** Files written, with what was done to them. */
  written: { path: string; relative: string; action: 'create' | 'update' | 'merge' }[];
  /** Files planned for writing but left alone, and why (someone wrote them since the plan). */
  skipped: { path: string; relative: string; reason: string }[];
  /** Lines appended to `.gitignore` (none when not asked or nothing was missing). */
  gitignoreAdded: string[];
}

/**
 * Writes what `planInit` planned. A new file appears whole or not at all and never replaces a file created in the
 * meantime; a file planned for an update or a merge is written only if it still holds the text the plan read.
 * So running init twice, or while the user edits, loses nothing of theirs.
 */
export async function applyInit(plan: InitPlan, options: ApplyInitOptions): Promise<InitResult> {
  const result: InitResult = { written: [], skipped: [], gitignoreAdded: [] };
  await fs.mkdir(plan.root, { recursive: true });
  for (const file of plan.files) {
    if (file.content === undefined) continue;
    const skipped = await writePlanned(file, file.content);
    if (skipped === undefined)
      result.written.push({
        path: file.path,
        relative: file.relative,
        action: file.action as 'create' | 'update' | 'merge',
      });
    else result.skipped.push({ path: file.path, relative: file.relative, reason: skipped });
  }
  if (options.gitignore)
    result.gitignoreAdded = await addGitignoreLines(plan.gitignore.path, plan.gitignore.proposed);
  return result;
}

/** Writes one planned file; the reason it was left alone, or undefined once written. */
async function writePlanned(file: PlannedFile, content: string): Promise<string | undefined> {
  if (file.action === 'create') {
    return (await createExclusive(file.path, content)) ? undefined : 'created by someone else since the plan';
  }
  const now = await fs.readFile(file.path, 'utf8').catch(() => undefined);
  if (now !== file.before) return 'changed since the plan';
  await writeTextAtomic(file.path, content, USER_FILE);
  return undefined;
}

/**
 * Creates `file` with `text` unless it exists: the text goes to a temporary file first (flushed), which is then
 * hard-linked to the name (link never replaces an existing file). False when the file already existed.
 */
export async function createExclusive(file: string, text: string, mode = 0o644): Promise<boolean> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(tmp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(tmp, file);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
      // No hard links on this file system: exclusive creation still never replaces a file.
      try {
        await fs.writeFile(file, text, { flag: 'wx', mode });
        return true;
      } catch (fallback) {
        if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw fallback;
      }
    }
  } catch (error) {
    throw new FleetError(
      ErrorCode.StoreWrite,
      `Could not write ${file}: ${describeError(error)}`,
      { file },
      { cause: error },
    );
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Appends the proposed lines the file still lacks (read again now); the rest of the file is kept byte for byte. */
async function addGitignoreLines(file: string, proposed: readonly string[]): Promise<string[]> {
  let text: string | undefined;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new FleetError(
        ErrorCode.StoreRead,
        `Could not read ${file}: ${describeError(error)}`,
        { file },
        { cause: error },
      );
  }
  const missing = missingGitignoreLines(text, proposed);
  if (missing.length === 0) return [];
  await writeTextAtomic(file, appendGitignoreLines(text, missing), USER_FILE);
  return missing;
}
