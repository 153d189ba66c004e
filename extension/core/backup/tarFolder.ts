import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { create, extract, list, type ReadEntry } from 'tar';
import { ErrorCode, FleetError, describeError } from '../errors';

/**
 * tar.gz of one folder through node-tar (pure JavaScript, so Windows needs no `tar` program): entries relative to
 * the folder, each with its mode and mtime. Only regular files, folders and symbolic links are packed; sockets
 * (control.sock), proper-lockfile's lock folders (`*.lock`) and atomic-write temporaries are not state.
 */

/** Paths inside the folder, "/"-separated, without "./" (the folder itself is ""). */
export function entryPath(raw: string): string {
  const posix = raw.replace(/\\/g, '/');
  const trimmed = posix.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

/** Whether a path inside a state or logs folder belongs in an archive. */
export function isPackable(
  relative: string,
  stat: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink'>,
): boolean {
  const segments = relative.split('/').filter((s) => s !== '');
  // proper-lockfile's locks are folders named *.lock; writeJsonAtomic's temporaries are ".<name>.<pid>.<hex>.tmp".
  if (segments.some((s) => s.endsWith('.lock') || /^\..+\.tmp$/.test(s))) return false;
  // control.json says where the running supervisor listens: restored later, it would name a supervisor that is
  // gone (fleet doctor then warns of a stale control file until the next start).
  if (segments.length === 1 && segments[0] === 'control.json') return false;
  return stat.isFile() || stat.isDirectory() || stat.isSymbolicLink();
}

/**
 * Packs `dir` into `file` (gzip): written to a hidden temporary name in the same folder, flushed, then renamed,
 * so a crash never leaves half an archive under a real name. Readable by its owner only: the state holds tokens.
 * A file replaced while it is read (node-tar stats, then reads) fails the pack, which is tried again.
 */
export async function packFolder(options: {
  dir: string;
  file: string;
  /** Also leave out these absolute paths (a backups folder inside the packed one). */
  exclude?: readonly string[];
  attempts?: number;
}): Promise<{ bytes: number; entries: number }> {
  const { dir, file } = options;
  const exclude = (options.exclude ?? []).map((p) => path.resolve(p));
  const attempts = options.attempts ?? 3;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tmp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    let entries = 0;
    try {
      await create(
        {
          gzip: true,
          file: tmp,
          cwd: dir,
          mode: 0o600,
          // The state's own owner ids mean nothing on another machine; modes and mtimes are kept.
          portable: false,
          follow: false,
          // Creating, node-tar passes the lstat of each path (a ReadEntry only when updating an archive).
          filter: (raw: string, stat: Stats | ReadEntry) => {
            const relative = entryPath(raw);
            if (exclude.includes(path.resolve(dir, relative))) return false;
            const keep = relative === '' || ('isFile' in stat && isPackable(relative, stat));
            if (keep && relative !== '') entries++;
            return keep;
          },
        },
        ['.'],
      );
      const handle = await fs.open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
      const { size } = await fs.stat(file);
      return { bytes: size, entries };
    } catch (error) {
      lastError = error;
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(await exists(dir))) break;
    }
  }
  throw new FleetError(
    ErrorCode.StoreWrite,
    `Could not write the backup ${file} from ${dir}: ${describeError(lastError)}`,
    { file, dir },
    { cause: lastError },
  );
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface ArchiveEntry {
  /** "/"-separated, relative to the packed folder. */
  path: string;
  kind: EntryKind;
  mode: number;
  /** sha256 of the content (files), or of "link:" + target (links); "" for folders. */
  hash: string;
  size: number;
}

const KINDS: Partial<Record<string, EntryKind>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

/** Why an entry may not be unpacked into a folder, or undefined when it is safe. */
export function unsafeEntry(raw: string, type: string, linkpath: string | undefined): string | undefined {
  const p = raw.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'an absolute path';
  if (p.split('/').includes('..')) return 'a ".." path leaving the folder';
  if (!KINDS[type]) return `an entry of type ${type} (only files, folders and links are restored)`;
  if (type === 'SymbolicLink' || type === 'Link') {
    const target = (linkpath ?? '').replace(/\\/g, '/');
    if (target === '' || target.startsWith('/') || /^[A-Za-z]:/.test(target)) {
      return `a link to ${target === '' ? 'nothing' : target}, outside the folder`;
    }
    // A symbolic link resolves from its own folder; a hard link names a path from the archive's root.
    const from = type === 'SymbolicLink' ? path.posix.dirname(entryPath(p)) : '';
    const resolved = path.posix.normalize(path.posix.join(from, target));
    if (resolved === '..' || resolved.startsWith('../')) return `a link to ${target}, outside the folder`;
  }
  return undefined;
}

/**
 * Every entry of an archive with its content hash, after checking that each is safe to unpack: an absolute
 * path, a ".." or a link leading outside, a device or a FIFO makes the whole archive refused, naming the entry.
 */
export async function readArchive(file: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  const pending: Promise<void>[] = [];
  let unsafe: FleetError | undefined;
  try {
    await fs.access(file);
    await list({
      file,
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const problem = unsafeEntry(entry.path, entry.type, entry.linkpath);
        if (problem) {
          unsafe ??= new FleetError(
            ErrorCode.StoreRead,
            `Refusing to restore ${file}: entry "${entry.path}" is ${problem}`,
            { file, entry: entry.path },
          );
          entry.resume();
          return;
        }
        const kind = KINDS[entry.type] as EntryKind;
        const hash = createHash('sha256');
        if (kind !== 'file') hash.update(kind === 'directory' ? '' : `link:${entry.linkpath ?? ''}`);
        pending.push(
          new Promise<void>((resolve, reject) => {
            entry.on('data', (chunk: Buffer) => {
              if (kind === 'file') hash.update(chunk);
            });
            entry.on('end', () => {
              entries.push({
                path: entryPath(entry.path),
                kind,
                mode: (entry.mode ?? 0) & 0o7777,
                hash: kind === 'directory' ? '' : hash.digest('hex'),
                size: entry.size ?? 0,
              });
              resolve();
            });
            entry.on('error', reject);
          }),
        );
      },
    });
    await Promise.all(pending);
  } catch (error) {
    throw new FleetError(
      ErrorCode.StoreRead,
      `Could not read the backup ${file}: ${describeError(error)}`,
      { file },
      { cause: error },
    );
  }
  if (unsafe) throw unsafe;
  return entries.filter((e) => e.path !== '');
}

/**
 * Unpacks an archive already checked by readArchive into an empty folder, with each entry's exact mode (no
 * umask) and mtime. `strict`: any warning (a bad header, a truncated file) fails the whole extraction.
 */
export async function unpackArchive(file: string, into: string): Promise<void> {
  try {
    await extract({
      file,
      cwd: into,
      strict: true,
      chmod: true,
      processUmask: 0,
      preserveOwner: false,
      // Checked again here: readArchive refused such archives already, but unpacking must never trust a list.
      filter: (raw: string, entry: Stats | ReadEntry) =>
        'type' in entry && unsafeEntry(raw, entry.type, entry.linkpath) === undefined,
    });
  } catch (error) {
    throw new FleetError(
      ErrorCode.StoreWrite,
      `Could not unpack the backup ${file} into ${into}: ${describeError(error)}`,
      { file, dir: into },
      { cause: error },
    );
  }
}

/** The same view of a folder on disk as readArchive gives of an archive (packable entries only). */
export async function readFolder(dir: string): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    let names: string[];
    try {
      names = await fs.readdir(path.join(dir, relative));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && relative === '') return;
      throw error;
    }
    for (const name of names.sort()) {
      const rel = relative === '' ? name : `${relative}/${name}`;
      const full = path.join(dir, rel);
      const stat = await fs.lstat(full);
      if (!isPackable(rel, stat)) continue;
      const mode = stat.mode & 0o7777;
      if (stat.isDirectory()) {
        out.push({ path: rel, kind: 'directory', mode, hash: '', size: 0 });
        await walk(rel);
      } else if (stat.isSymbolicLink()) {
        const target = await fs.readlink(full);
        out.push({ path: rel, kind: 'symlink', mode, hash: sha256(`link:${target}`), size: 0 });
      } else {
        out.push({ path: rel, kind: 'file', mode, hash: sha256(await fs.readFile(full)), size: stat.size });
      }
    }
  };
  await walk('');
  return out;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
