import { existsSync, promises as fsp, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ErrorCode, FleetError } from '../../extension/core/errors';
import { JsonStore, readJson, writeJsonAtomic } from '../../extension/core/store/jsonStore';
import { caught, useTempDirs } from './helpers';

const Layout = z.object({
  name: z.string(),
  panes: z.array(z.object({ agent: z.string(), cwd: z.string() })),
});

const layout = {
  name: 'main',
  panes: [
    { agent: 'codex', cwd: '/w/a' },
    { agent: 'claude', cwd: '/w/b' },
  ],
};

const tempDir = useTempDirs();

afterEach(() => {
  vi.restoreAllMocks();
});

function expectFleetError(error: unknown, code: string): FleetError {
  expect(error).toBeInstanceOf(FleetError);
  const fleetError = error as FleetError;
  expect(fleetError.code).toBe(code);
  return fleetError;
}

describe('writeJsonAtomic', () => {
  it('writes pretty JSON that ends with exactly one newline', async () => {
    const file = path.join(tempDir(), 'layout.json');
    await writeJsonAtomic(file, layout);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(layout, null, 2)}\n`);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text.split('\n')[1]).toBe('  "name": "main",');
  });

  it('creates missing folders and leaves no temporary file behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state', 'nested', 'layout.json');
    await writeJsonAtomic(file, layout);
    await writeJsonAtomic(file, { ...layout, name: 'second' });
    expect(readdirSync(path.dirname(file))).toEqual(['layout.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ name: 'second' });
  });

  it('fails with E_STORE_WRITE naming the file when the target cannot be replaced', async () => {
    // Root ignores permission bits, so the failure comes from the file system itself: a non-empty folder
    // sits where the file should go, and no rename can replace it.
    const dir = tempDir();
    const file = path.join(dir, 'layout.json');
    await fsp.mkdir(file);
    writeFileSync(path.join(file, 'keep.txt'), 'previous');

    const error = expectFleetError(await caught(() => writeJsonAtomic(file, layout)), ErrorCode.StoreWrite);
    expect(error.message).toContain(file);
    expect(error.details).toEqual({ file });
    expect(error.cause).toBeInstanceOf(Error);
    expect(readFileSync(path.join(file, 'keep.txt'), 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['layout.json']);
  });

  it('keeps the previous content intact when the final rename fails', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'layout.json');
    await writeJsonAtomic(file, layout);
    const before = readFileSync(file, 'utf8');

    const rename = vi
      .spyOn(fsp, 'rename')
      .mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    // A full disk is E_STATE_WRITE (test/unit/store/stateWriteFailure.test.ts fills a real one).
    const error = expectFleetError(
      await caught(() => writeJsonAtomic(file, { ...layout, name: 'lost' })),
      ErrorCode.StateWrite,
    );
    expect(rename).toHaveBeenCalledTimes(1);
    expect(error.message).toContain(file);
    expect(error.message).toContain('ENOSPC');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['layout.json']);
  });

  it('reports a value that cannot be serialised as E_STORE_WRITE and writes nothing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'layout.json');
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const error = expectFleetError(await caught(() => writeJsonAtomic(file, circular)), ErrorCode.StoreWrite);
    expect(error.message).toContain(file);
    expectFleetError(await caught(() => writeJsonAtomic(file, undefined)), ErrorCode.StoreWrite);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('readJson', () => {
  it('returns undefined for a missing file', async () => {
    await expect(readJson(path.join(tempDir(), 'missing.json'), Layout)).resolves.toBeUndefined();
  });

  it('returns the parsed value for a valid file', async () => {
    const file = path.join(tempDir(), 'layout.json');
    await writeJsonAtomic(file, layout);
    await expect(readJson(file, Layout)).resolves.toEqual(layout);
  });

  it.each([
    ['a missing comma', '{\n  "name": "main"\n  "panes": []\n}\n', '3:3'],
    ['a trailing comma', '{\n  "name": "main",\n  "panes": [1, 2,]\n}\n', '3:18'],
    ['a bare word', '{\n  "name": main\n}\n', '2:11'],
    ['a cut-off file', '{\n  "name": "main",\n  "panes": [', '3:13'],
    ['text after the value', '{}\n}', '2:1'],
  ])('reports %s as E_STORE_PARSE with the file and line:column', async (_what, text, where) => {
    const file = path.join(tempDir(), 'layout.json');
    writeFileSync(file, text);
    const error = expectFleetError(await caught(() => readJson(file, Layout)), ErrorCode.StoreParse);
    expect(error.message.startsWith(`${file}:${where}: not valid JSON`)).toBe(true);
    expect(error.details).toEqual({ file });
  });

  it('reports a schema mismatch as E_STORE_SCHEMA naming the file and the field path', async () => {
    const file = path.join(tempDir(), 'layout.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'main',
        panes: [
          { agent: 'codex', cwd: '/w' },
          { agent: 'claude', cwd: 42 },
        ],
      }),
    );
    const error = expectFleetError(await caught(() => readJson(file, Layout)), ErrorCode.StoreSchema);
    expect(error.message).toContain(file);
    expect(error.message).toContain('panes[1].cwd');
    expect(error.details?.problems).toEqual([expect.stringMatching(/^panes\[1\]\.cwd: /)]);
  });

  it('reports an unreadable path as E_STORE_READ', async () => {
    const dir = tempDir();
    const error = expectFleetError(await caught(() => readJson(dir, Layout)), ErrorCode.StoreRead);
    expect(error.message).toContain(dir);
  });
});

describe('JsonStore', () => {
  it('round-trips a document by relative path', async () => {
    const store = new JsonStore(tempDir());
    await store.write('layouts/main.json', Layout, layout);
    await expect(store.read('layouts/main.json', Layout)).resolves.toEqual(layout);
    expect(existsSync(path.join(store.root, 'layouts', 'main.json'))).toBe(true);
  });

  it('refuses an invalid value and leaves the saved file untouched', async () => {
    const store = new JsonStore(tempDir());
    await store.write('layout.json', Layout, layout);
    const file = store.resolve('layout.json');
    const before = readFileSync(file, 'utf8');

    const bad = { name: 'main', panes: [{ agent: 'codex', cwd: '/w' }, { agent: 'claude' }] };
    const error = expectFleetError(
      await caught(() => store.write('layout.json', Layout, bad as z.input<typeof Layout>)),
      ErrorCode.StoreSchema,
    );
    expect(error.message).toContain(file);
    expect(error.message).toContain('panes[1].cwd');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(store.root)).toEqual(['layout.json']);
  });

  it('serialises concurrent writes so the last one wins', async () => {
    const store = new JsonStore(tempDir());
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      writes.push(store.write('layout.json', Layout, { name: `write-${i}`, panes: [] }));
    }
    await Promise.all(writes);
    const text = readFileSync(store.resolve('layout.json'), 'utf8');
    expect(Layout.parse(JSON.parse(text))).toEqual({ name: 'write-49', panes: [] });
    expect(readdirSync(store.root)).toEqual(['layout.json']);
  });

  it('keeps serialising after one write in the chain failed', async () => {
    const store = new JsonStore(tempDir());
    const rename = vi
      .spyOn(fsp, 'rename')
      .mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    const first = store.write('layout.json', Layout, { name: 'first', panes: [] });
    const second = store.write('layout.json', Layout, { name: 'second', panes: [] });
    expectFleetError(await caught(() => first), ErrorCode.StateWrite);
    await second;
    expect(rename).toHaveBeenCalledTimes(2);
    await expect(store.read('layout.json', Layout)).resolves.toEqual({ name: 'second', panes: [] });
  });

  it('refuses paths outside its root', async () => {
    const store = new JsonStore(tempDir());
    for (const relative of ['../escape.json', 'a/../../escape.json', path.resolve('/etc/passwd')]) {
      const error = expectFleetError(await caught(() => store.resolve(relative)), ErrorCode.StoreWrite);
      expect(error.message).toContain(relative);
    }
    // The promise-returning methods reject (they do not throw at the call site).
    const write = store.write('../escape.json', Layout, layout);
    await expect(write).rejects.toBeInstanceOf(FleetError);
    await expect(store.read('../escape.json', Layout)).rejects.toMatchObject({ code: ErrorCode.StoreWrite });
    expect(existsSync(path.join(store.root, '..', 'escape.json'))).toBe(false);
  });
});
