import { promises as fsp, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { USER_FILE, writeJsonAtomic, writeTextAtomic } from '../../../extension/core/store/jsonStore';
import { writeDraft } from '../../../extension/core/requirements/draftFile';
import { caught, useTempDirs } from '../helpers';

const tempDir = useTempDirs();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeTextAtomic (the one atomic write under state, drafts and config apply)', () => {
  it('writes the text as given, creates folders and leaves no temporary file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a', 'b', 'notes.md');
    await writeTextAtomic(file, '# one\n');
    await writeTextAtomic(file, '# two\n// kept as text, not JSON\n');
    expect(readFileSync(file, 'utf8')).toBe('# two\n// kept as text, not JSON\n');
    expect(readdirSync(path.dirname(file))).toEqual(['notes.md']);
  });

  it('gives a new state file 0600 and keeps a user file its own mode', async () => {
    const dir = tempDir();
    const state = path.join(dir, 'state.json');
    await writeTextAtomic(state, '{}\n');
    expect(statSync(state).mode & 0o777).toBe(0o600);

    const config = path.join(dir, 'orchestrator.json');
    writeFileSync(config, '{}\n');
    await fsp.chmod(config, 0o640);
    await writeTextAtomic(config, '{ "a": 1 }\n', USER_FILE);
    expect(statSync(config).mode & 0o777).toBe(0o640);
    expect(readFileSync(config, 'utf8')).toBe('{ "a": 1 }\n');

    const fresh = path.join(dir, 'new.tasks.json');
    await writeTextAtomic(fresh, '{}\n', USER_FILE);
    expect(statSync(fresh).mode & 0o777).toBe(0o644);
  });

  it('fails with E_STATE_WRITE naming the file and keeps the previous bytes when the rename fails', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.md');
    await writeTextAtomic(file, 'before\n');
    vi.spyOn(fsp, 'rename').mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }),
    );
    const error = await caught(() => writeTextAtomic(file, 'after\n'));
    expect(error).toBeInstanceOf(FleetError);
    // An I/O error of the disk is a state write failure: the supervisor and executor stop on it.
    expect((error as FleetError).code).toBe(ErrorCode.StateWrite);
    expect((error as FleetError).details).toEqual({ file, osCode: 'EIO' });
    expect(readFileSync(file, 'utf8')).toBe('before\n');
    expect(readdirSync(dir)).toEqual(['notes.md']);
  });

  it('still reports an unserialisable JSON value as E_STORE_WRITE naming the file', async () => {
    const file = path.join(tempDir(), 'x.json');
    const error = await caught(() => writeJsonAtomic(file, 10n));
    expect((error as FleetError).code).toBe(ErrorCode.StoreWrite);
    expect((error as FleetError).message).toContain(file);
  });

  it('is what task drafts are written with: the draft and its schema land, nothing temporary is left', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'drafts', 'spec.tasks.json');
    const source = {
      doc: 'spec.md',
      sha256: 'a'.repeat(64),
      decomposed_by: 'rules' as const,
      created_at: '2026-11-21T00:00:00Z',
    };
    await writeDraft(file, { source, notes: [], tasks: [] });
    const names = readdirSync(path.dirname(file)).sort();
    expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
    expect(names).toContain('spec.tasks.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ source, tasks: [] });
  });
});
