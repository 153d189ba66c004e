import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendGitignoreLines,
  applyInit,
  missingGitignoreLines,
  planInit,
  proposedGitignoreLines,
} from '../../../extension/core/init';
import { repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const proposed = ['.fleetai/state/', '.fleetai/logs/', '.fleetai/backups/'];

describe('.gitignore lines', () => {
  it('proposes state, logs and backups of the FleetAI folder', () => {
    expect(proposedGitignoreLines()).toEqual(proposed);
    expect(proposedGitignoreLines('./.fleet-data/')).toEqual([
      '.fleet-data/state/',
      '.fleet-data/logs/',
      '.fleet-data/backups/',
    ]);
  });

  it('counts a line as present with or without slashes, or when the whole folder is ignored', () => {
    expect(missingGitignoreLines(undefined, proposed)).toEqual(proposed);
    expect(missingGitignoreLines('/.fleetai/state\n.fleetai/logs/\n', proposed)).toEqual([
      '.fleetai/backups/',
    ]);
    expect(missingGitignoreLines('.fleetai/\n', proposed)).toEqual([]);
    expect(missingGitignoreLines('# .fleetai/state/\n', proposed)).toEqual(proposed);
  });

  it('appends once, keeps the file and its line endings byte for byte', () => {
    const crlf = 'node_modules\r\ndist';
    const once = appendGitignoreLines(crlf, missingGitignoreLines(crlf, proposed));
    expect(once.startsWith('node_modules\r\ndist\r\n\r\n# FleetAI')).toBe(true);
    expect(once.endsWith('.fleetai/backups/\r\n')).toBe(true);
    expect(appendGitignoreLines(once, missingGitignoreLines(once, proposed))).toBe(once);
  });

  it('applyInit adds only the missing lines, and a second run adds none', async () => {
    const workspace = tempDir();
    const file = path.join(workspace, '.gitignore');
    writeFileSync(file, 'node_modules/\n/.fleetai/logs\n');
    const options = {
      workspace,
      builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      pathEnv: '',
    };
    const plan = await planInit(options);
    expect(plan.gitignore.missing).toEqual(['.fleetai/state/', '.fleetai/backups/']);
    expect((await applyInit(plan, { gitignore: true })).gitignoreAdded).toEqual([
      '.fleetai/state/',
      '.fleetai/backups/',
    ]);
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(
      'node_modules/\n/.fleetai/logs\n\n# FleetAI: state, logs and backups (fleet init)\n.fleetai/state/\n.fleetai/backups/\n',
    );
    const again = await planInit(options);
    expect(again.gitignore.missing).toEqual([]);
    expect((await applyInit(again, { gitignore: true })).gitignoreAdded).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });
});
