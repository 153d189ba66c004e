import { createHash } from 'node:crypto';

/**
 * File and folder names for thread ids, namespaces, checkpoint ids and task ids, which can be any string.
 *
 * Lowercase letters, digits and `-` stay as they are, so LangGraph's uuid6 checkpoint ids and most thread ids read
 * as themselves; every other character becomes `_` plus the hex of its UTF-8 bytes (`Thread 1` -> `_54hread_201`).
 * That keeps names apart on case-insensitive file systems (macOS, Windows), never produces `.`, `..`, a path
 * separator or a character Windows refuses, and can be decoded again, so names still sort like the ids they stand
 * for.
 */
const KEEP = /[a-z0-9-]/;
const ENCODED = /^(?:[a-z0-9-]|_[0-9a-f]{2})+$/;
/** Past this length a name is cut and finished with `~` and a hash (no such name can be decoded). */
const MAX_NAME = 120;
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

export function encodeName(value: string): string {
  if (value === '') throw new RangeError('an empty string has no file name');
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && KEEP.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  // `con` and friends are devices on Windows whatever the extension; escaping the first letter avoids them.
  if (WINDOWS_RESERVED.test(out)) out = `_${out.charCodeAt(0).toString(16)}${out.slice(1)}`;
  if (out.length <= MAX_NAME) return out;
  const hash = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16);
  // Cut before an escape, never inside one (hex digits are never `_`, so one look back is enough).
  const escape = out.lastIndexOf('_', 99);
  const cut = escape > 97 ? escape : 100;
  return `${out.slice(0, cut)}~${hash}`;
}

/** The value a name stands for, or undefined when the name was not made by `encodeName` or was cut short. */
export function decodeName(name: string): string | undefined {
  if (!ENCODED.test(name)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '_') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }
  const value = Buffer.from(bytes).toString('utf8');
  // Reject names that decode to something else than what encoding it gives (invalid UTF-8, `con` spelt out).
  return encodeName(value) === name ? value : undefined;
}

/** True when `value` gets a name that decodes back to it (ids that must sort by name have to). */
export function hasReversibleName(value: string): boolean {
  return value !== '' && decodeName(encodeName(value)) === value;
}

/** The folder of a namespace inside a thread's folder: `root` for LangGraph's default `""`, `ns-<name>` else. */
export function namespaceFolder(checkpointNs: string): string {
  return checkpointNs === '' ? 'root' : `ns-${encodeName(checkpointNs)}`;
}

/** The namespace a folder stands for, or undefined when it is not one of ours or its name was cut short. */
export function namespaceOfFolder(folder: string): string | undefined {
  if (folder === 'root') return '';
  return folder.startsWith('ns-') ? decodeName(folder.slice(3)) : undefined;
}

export const CHECKPOINT_SUFFIX = '.checkpoint.json';
export const WRITES_SUFFIX = '.writes.json';

export function checkpointFileName(checkpointId: string): string {
  return `${encodeName(checkpointId)}${CHECKPOINT_SUFFIX}`;
}

export function writesFileName(checkpointId: string, taskId: string): string {
  return `${encodeName(checkpointId)}.${encodeName(taskId)}${WRITES_SUFFIX}`;
}

export type NamespaceEntry =
  | { kind: 'checkpoint'; checkpointId: string; name: string }
  | { kind: 'writes'; checkpointId: string; name: string };

/**
 * What a file in a namespace folder holds, from its name alone. Temporary files of an atomic write
 * (`.<name>.<pid>.<random>.tmp`) and anything else that is not ours are undefined.
 */
export function parseEntryName(name: string): NamespaceEntry | undefined {
  if (name.endsWith(CHECKPOINT_SUFFIX)) {
    const checkpointId = decodeName(name.slice(0, -CHECKPOINT_SUFFIX.length));
    return checkpointId === undefined ? undefined : { kind: 'checkpoint', checkpointId, name };
  }
  if (name.endsWith(WRITES_SUFFIX)) {
    const [id, task, ...rest] = name.slice(0, -WRITES_SUFFIX.length).split('.');
    if (id === undefined || task === undefined || rest.length > 0) return undefined;
    const checkpointId = decodeName(id);
    return checkpointId === undefined ? undefined : { kind: 'writes', checkpointId, name };
  }
  return undefined;
}
