import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { portalToken } from '../../../extension/core/remote/portalToken';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-portal-token-'));
  dirs.push(dir);
  return path.join(dir, 'state');
};

describe('portalToken', () => {
  it('is made once (32 random bytes, base64url, mode 0600) and reused across restarts', async () => {
    const dir = stateDir();
    const first = await portalToken({ stateDir: dir, tokenEnv: 'FLEETAI_PORTAL_TOKEN', env: {} });
    expect(first.source).toEqual({ kind: 'file', file: path.join(dir, 'portal.token'), created: true });
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first.token, 'base64url')).toHaveLength(32);
    const file = path.join(dir, 'portal.token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.token);
    const again = await portalToken({ stateDir: dir, tokenEnv: 'FLEETAI_PORTAL_TOKEN', env: {} });
    expect(again.token).toBe(first.token);
    expect(again.source).toMatchObject({ kind: 'file', created: false });
  });

  it('gives one token to processes that start together (the window and fleet orchestrator)', async () => {
    const dir = stateDir();
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => portalToken({ stateDir: dir, tokenEnv: 'X_TOKEN', env: {} })),
    );
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokens.filter((t) => t.source.kind === 'file' && t.source.created)).toHaveLength(1);
  });

  it('takes the environment variable named by token_env first, and writes no file then', async () => {
    const dir = stateDir();
    const token = 'a-token-from-the-environment-1234';
    const got = await portalToken({
      stateDir: dir,
      tokenEnv: 'MY_PORTAL_TOKEN',
      env: { MY_PORTAL_TOKEN: token },
    });
    expect(got).toEqual({ token, source: { kind: 'env', name: 'MY_PORTAL_TOKEN' } });
    expect(() => statSync(path.join(dir, 'portal.token'))).toThrow();
    // Another variable's value is not the portal's.
    const other = await portalToken({ stateDir: dir, tokenEnv: 'MY_PORTAL_TOKEN', env: { OTHER: token } });
    expect(other.token).not.toBe(token);
  });

  it('refuses a too short token, from the environment or the file, naming where', async () => {
    const dir = stateDir();
    await expect(portalToken({ stateDir: dir, tokenEnv: 'T', env: { T: 'short' } })).rejects.toThrow(
      /T holds a portal token of 5 characters/,
    );
    await portalToken({ stateDir: dir, tokenEnv: 'T', env: {} });
    writeFileSync(path.join(dir, 'portal.token'), '\n');
    await expect(portalToken({ stateDir: dir, tokenEnv: 'T', env: {} })).rejects.toThrow(
      /portal\.token holds no usable portal token/,
    );
  });

  it('a deleted file means a new token (rotation)', async () => {
    const dir = stateDir();
    const first = await portalToken({ stateDir: dir, tokenEnv: 'T', env: {} });
    rmSync(path.join(dir, 'portal.token'));
    const second = await portalToken({ stateDir: dir, tokenEnv: 'T', env: {} });
    expect(second.token).not.toBe(first.token);
  });
});
