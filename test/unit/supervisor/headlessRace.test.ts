import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';

// Two `fleet orchestrator` processes started at the same moment (or a window and the CLI) both read "nobody
// supervises" from control.json before either writes it; the supervisor lock lets exactly one go on. Here both
// run in one process (no panes configured, so no agent is needed), which races the same way on the lock folder.
const dirs: string[] = [];
const running: HeadlessOrchestrator[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('fleet orchestrator started twice at once', () => {
  it('runs one supervisor; the other is refused with E_SUPERVISOR_RUNNING and the next start after a stop works', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'fleetai-race-'));
    dirs.push(workspace);
    const paths = workspacePaths(workspace);
    const start = () =>
      startHeadlessOrchestrator({
        configFile: paths.orchestratorConfig,
        workspace,
        paths,
        builtinProfilesDir: path.resolve('agents-config'),
        log: createMemoryLog(),
      });
    const results = await Promise.allSettled([start(), start()]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_SUPERVISOR_RUNNING' });
    const first = (won[0] as PromiseFulfilledResult<HeadlessOrchestrator>).value;
    await first.stop();
    const again = await start();
    running.push(again);
    expect(again.control.socket).toBeTruthy();
  });
});
