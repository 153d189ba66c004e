import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeSupervisorLock } from '../../../extension/core/control/supervisorLock';
import { createMemoryLog } from '../../../extension/core/observability/appLog';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the supervisor lock', () => {
  it('lets exactly one of several processes starting together supervise, and the next one after release', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-lock-'));
    dirs.push(dir);
    const stateDir = path.join(dir, 'state');
    const log = createMemoryLog();
    const taken = await Promise.all(Array.from({ length: 5 }, () => takeSupervisorLock(stateDir, log)));
    const holders = taken.filter((t) => t !== undefined);
    expect(holders).toHaveLength(1);
    expect(await takeSupervisorLock(stateDir, log)).toBeUndefined();
    await holders[0]?.release();
    const next = await takeSupervisorLock(stateDir, log);
    expect(next).toBeDefined();
    await next?.release();
  });
});
