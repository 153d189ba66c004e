import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FleetError } from '../../../extension/core/errors';
import { Transcript } from '../../../extension/core/panes/transcript';
import { useTempDirs } from '../helpers';

const tempDir = useTempDirs();

/** Distinct, recognisable chunks, so any loss, duplicate or reordering shows. */
function chunks(count: number, size: number): string[] {
  return Array.from({ length: count }, (_, i) => `<${i}>`.padEnd(size, String.fromCharCode(97 + (i % 26))));
}

function parts(dir: string, name: string): { n: number; file: string }[] {
  return readdirSync(dir)
    .map((entry) => ({ entry, match: new RegExp(`^${name}\\.(\\d+)\\.log\\.gz$`).exec(entry) }))
    .filter((p) => p.match)
    .map((p) => ({ n: Number(p.match?.[1]), file: path.join(dir, p.entry) }))
    .sort((a, b) => a.n - b.n);
}

/** The compressed parts, oldest first, then the live file. */
function readAll(dir: string, name: string): string {
  const compressed = parts(dir, name).map((p) => gunzipSync(readFileSync(p.file)).toString('utf8'));
  const live = path.join(dir, `${name}.log`);
  return compressed.join('') + (existsSync(live) ? readFileSync(live, 'utf8') : '');
}

describe('Transcript', () => {
  it('appends raw bytes in order without waiting for the disk', async () => {
    const dir = path.join(tempDir(), 'logs', 'panes');
    const transcript = new Transcript({ dir, name: 'codex-1' });
    const input = chunks(200, 37);
    for (const chunk of input) transcript.append(chunk);
    transcript.append(Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xe2, 0x80, 0xa2]));
    // Nothing was written synchronously: the data path only queued.
    expect(existsSync(transcript.file)).toBe(false);
    await transcript.flush();
    expect(transcript.file).toBe(path.join(dir, 'codex-1.log'));
    expect(readFileSync(transcript.file, 'utf8')).toBe(input.join('') + '\u001b[31m•');
    transcript.append('more');
    await transcript.close();
    transcript.append('ignored after close');
    await transcript.flush();
    expect(readFileSync(transcript.file, 'utf8').endsWith('•more')).toBe(true);
  });

  it('rotates into gzip parts that decompress to the original bytes in order', async () => {
    const dir = tempDir();
    const transcript = new Transcript({ dir, name: 'p', maxBytes: 100, retainParts: 100 });
    const input = chunks(40, 30);
    for (const [i, chunk] of input.entries()) {
      transcript.append(chunk);
      if (i % 7 === 0) await transcript.flush(); // mix lone writes with coalesced bursts
    }
    await transcript.close();
    const gz = parts(dir, 'p');
    expect(gz.length).toBeGreaterThanOrEqual(10);
    expect(gz.map((p) => p.n)).toEqual(gz.map((_, i) => i + 1));
    for (const part of gz) expect(gunzipSync(readFileSync(part.file)).length).toBeLessThanOrEqual(100);
    // No plain or temporary part is left once closed.
    expect(readdirSync(dir).filter((f) => /\.\d+\.log$|\.tmp$/.test(f))).toEqual([]);
    expect(readAll(dir, 'p')).toBe(input.join(''));
  });

  it('keeps only the newest retainParts compressed parts', async () => {
    const dir = tempDir();
    const transcript = new Transcript({ dir, name: 'p', maxBytes: 50, retainParts: 2 });
    const input = chunks(30, 25);
    for (const chunk of input) {
      transcript.append(chunk);
      await transcript.flush();
    }
    await transcript.close();
    const gz = parts(dir, 'p');
    // Two chunks fill a part: chunks 1-28 went into parts 1-14, chunks 29-30 are still live.
    expect(gz.map((p) => p.n)).toEqual([13, 14]);
    // What is left is the tail of the output, whole and in order.
    const kept = readAll(dir, 'p');
    expect(kept).toBe(input.slice(-kept.length / 25).join(''));
    expect(kept.length).toBe(25 * 6);
  });

  it('continues an earlier run: appends to the live file, numbers parts on, compresses leftovers', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.log'), 'old-live|');
    writeFileSync(path.join(dir, 'p.3.log.gz'), gzipSync('part3|'));
    writeFileSync(path.join(dir, 'p.4.log'), 'part4-left-by-a-crash|');
    writeFileSync(path.join(dir, 'other.9.log.gz'), gzipSync('another pane'));
    const transcript = new Transcript({ dir, name: 'p', maxBytes: 20, retainParts: 10 });
    transcript.append('new-bytes-1|');
    transcript.append('new-bytes-2|');
    await transcript.close();
    // The old live file became part 5 (it had no room for the first new chunk), the first new chunk part 6.
    expect(parts(dir, 'p').map((p) => p.n)).toEqual([3, 4, 5, 6]);
    expect(readFileSync(path.join(dir, 'p.log'), 'utf8')).toBe('new-bytes-2|');
    expect(readAll(dir, 'p')).toBe('part3|part4-left-by-a-crash|old-live|new-bytes-1|new-bytes-2|');
    expect(existsSync(path.join(dir, 'p.4.log'))).toBe(false);
    expect(existsSync(path.join(dir, 'other.9.log.gz'))).toBe(true);
  });

  it('keeps pane ids from escaping the folder', async () => {
    const dir = tempDir();
    const transcript = new Transcript({ dir, name: '../evil/pane' });
    transcript.append('x');
    await transcript.close();
    expect(transcript.file).toBe(path.join(dir, '.._evil_pane.log'));
    expect(readFileSync(transcript.file, 'utf8')).toBe('x');
  });

  it('reports the first failure once, never throws into append, and counts what it dropped', async () => {
    const blocker = path.join(tempDir(), 'a-file');
    writeFileSync(blocker, '');
    const errors: FleetError[] = [];
    const transcript = new Transcript({
      dir: path.join(blocker, 'panes'),
      name: 'p',
      onError: (e) => errors.push(e),
    });
    expect(() => transcript.append('one')).not.toThrow();
    await transcript.flush();
    expect(() => transcript.append('two')).not.toThrow();
    await transcript.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('E_PANE_TRANSCRIPT');
    expect(transcript.dropped).toBe(6);
  });

  it('drops output beyond maxPendingBytes instead of buffering without bound', async () => {
    const dir = tempDir();
    const errors: FleetError[] = [];
    const transcript = new Transcript({
      dir,
      name: 'p',
      maxPendingBytes: 10,
      onError: (e) => errors.push(e),
    });
    transcript.append('12345678');
    transcript.append('too much');
    transcript.append('12');
    await transcript.close();
    expect(readFileSync(transcript.file, 'utf8')).toBe('1234567812');
    expect(transcript.dropped).toBe(8);
    expect(errors.map((e) => e.code)).toEqual(['E_PANE_TRANSCRIPT']);
  });
});
