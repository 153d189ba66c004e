import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath, KNOWN_AGENT_CLIS, runDoctor } from '../../extension/core/doctor/doctor';
import { useTempDirs } from './helpers';

const tempDir = useTempDirs();

function executable(dir: string, name: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}

describe('runDoctor', () => {
  it('reports a working node-pty and a writable state folder', async () => {
    const stateRoot = path.join(tempDir(), 'ws', '.fleetai');
    const bin = tempDir();
    const codex = executable(bin, 'codex');
    const report = await runDoctor({ stateRoot, pathEnv: bin });

    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('node')?.status).toBe('ok');
    expect(byId.get('pty')?.status).toBe('ok');
    expect(byId.get('pty')?.summary).toContain('fleetai-pty-ok');
    expect(byId.get('state')?.status).toBe('ok');
    expect(byId.get('state')?.summary).toContain(stateRoot);
    // The doctor only looks: it does not create the state folder.
    expect(existsSync(stateRoot)).toBe(false);
    expect(byId.get('state')?.summary).toMatch(/can be created/);
    expect(byId.get('agent:codex')).toMatchObject({ status: 'ok', summary: `codex found at ${codex}` });
    for (const cli of KNOWN_AGENT_CLIS.filter((c) => c !== 'codex')) {
      expect(byId.get(`agent:${cli}`)).toMatchObject({ status: 'warn', summary: `${cli} is not on PATH` });
    }
    expect(report.ok).toBe(true);
  });

  it('fails the state check when the state folder cannot be created', async () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'file');
    writeFileSync(blocker, 'not a folder');
    const report = await runDoctor({ stateRoot: path.join(blocker, '.fleetai'), pathEnv: '' });
    const state = report.checks.find((c) => c.id === 'state');
    expect(state?.status).toBe('fail');
    expect(state?.detail).toBe(`${blocker} is not a folder`);
    expect(report.ok).toBe(false);
  });

  it('has no state check without a state root', async () => {
    const report = await runDoctor({ pathEnv: '' });
    expect(report.checks.map((c) => c.id)).not.toContain('state');
  });
});

describe('findOnPath', () => {
  it('finds an executable file, in PATH order', async () => {
    const first = tempDir();
    const second = tempDir();
    const wanted = executable(second, 'fleet-test-tool');
    const pathEnv = [first, second].join(path.delimiter);
    await expect(findOnPath('fleet-test-tool', pathEnv)).resolves.toBe(wanted);

    const earlier = executable(first, 'fleet-test-tool');
    await expect(findOnPath('fleet-test-tool', pathEnv)).resolves.toBe(earlier);
  });

  it('returns undefined for a missing name and for an empty PATH', async () => {
    const dir = tempDir();
    executable(dir, 'something-else');
    await expect(findOnPath('fleet-no-such-tool', dir)).resolves.toBeUndefined();
    await expect(findOnPath('something-else', '')).resolves.toBeUndefined();
  });

  it('skips files without execute permission and folders', async () => {
    const dir = tempDir();
    executable(dir, 'plain', 0o644);
    mkdirSync(path.join(dir, 'folder'));
    await expect(findOnPath('plain', dir)).resolves.toBeUndefined();
    await expect(findOnPath('folder', dir)).resolves.toBeUndefined();
  });
});
