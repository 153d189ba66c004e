import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../extension/core/approvals';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { PlanStore } from '../../../extension/core/plans/planStore';
import { createCheckpointer } from '../../../extension/core/plans/checkpoint/createCheckpointer';
import { writeDraft } from '../../../extension/core/requirements/draftFile';
import { writeJsonAtomic, writeTextAtomic } from '../../../extension/core/store/jsonStore';
import { supervisorStateStore } from '../../../extension/core/supervisor/stateStore';
import { emptySupervisorState } from '../../../extension/core/supervisor/paneMetadata';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught } from '../helpers';
import { isRoot, useStateFolders } from './readOnlyFolder';
import { valid, effect } from '../plans/executor/executorFixtures';

const folders = useStateFolders();
const refusedCode = isRoot ? 'EROFS' : 'EACCES';

function expectStateWrite(error: unknown, file: string, osCode: string): FleetError {
  expect(error).toBeInstanceOf(FleetError);
  const fleetError = error as FleetError;
  expect(fleetError.code).toBe(ErrorCode.StateWrite);
  expect(fleetError.details).toMatchObject({ file, osCode });
  expect(fleetError.message).toContain(file);
  expect(fleetError.message).toContain(osCode);
  return fleetError;
}

/** Every file under `dir` with its bytes: what "nothing already saved is lost" is checked against. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('a state folder that refuses writes (real: its own read-only tmpfs as root, 0555 otherwise)', () => {
  it('writeJsonAtomic fails with E_STATE_WRITE naming the file and the OS code; the previous file is byte-identical; it works again once writable', async () => {
    const { stateDir } = workspacePaths(folders.workspace());
    const state = folders.stateFolder(stateDir);
    const file = path.join(stateDir, 'supervisor.json');
    await writeJsonAtomic(file, { version: 1, saved: 'before' });
    const before = readFileSync(file);
    state.readOnly();

    const error = expectStateWrite(
      await caught(() => writeJsonAtomic(file, { version: 1, saved: 'after' })),
      file,
      refusedCode,
    );
    expect(error.message).toMatch(/Fix: /);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(stateDir)).toEqual(['supervisor.json']);

    state.writable();
    await writeJsonAtomic(file, { version: 1, saved: 'after' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, saved: 'after' });
  });

  it('a full disk (a 64 KiB tmpfs filled up) is E_STATE_WRITE ENOSPC, the previous file intact and no temporary file left', async () => {
    const { stateDir } = workspacePaths(folders.workspace());
    const state = folders.stateFolder(stateDir, { sizeKb: 64 });
    const file = path.join(stateDir, 'plans.json');
    await writeTextAtomic(file, 'before\n');
    state.fill();

    expectStateWrite(await caught(() => writeTextAtomic(file, 'x'.repeat(32 * 1024))), file, 'ENOSPC');
    expect(readFileSync(file, 'utf8')).toBe('before\n');
    expect(readdirSync(stateDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    state.free();
    await writeTextAtomic(file, 'after\n');
    expect(readFileSync(file, 'utf8')).toBe('after\n');
  });

  it('the approval store, the supervisor state, plan versions, checkpoints and task drafts all fail with E_STATE_WRITE and keep every saved byte', async () => {
    const workspace = folders.workspace();
    const paths = workspacePaths(workspace);
    const state = folders.stateFolder(paths.stateDir);
    const approvals = ApprovalStore.forWorkspace(paths);
    const supervisor = supervisorStateStore(paths.stateDir);
    const plans = new PlanStore({ stateDir: paths.stateDir });
    const plan = valid(
      [{ type: 'sequence', id: 'main', title: 'Main', children: ['a'] }, effect('a')],
      'main',
    );
    // Saved before: one of each.
    await approvals.request({
      pane: 'p1',
      agent: 'codex',
      kind: 'command',
      command: 'npm publish',
      reason: 'test',
      risk: 'high',
      reasons: [],
      source: 'agent',
    });
    await supervisor.save(emptySupervisorState());
    await plans.save(plan);
    const drafts = path.join(paths.stateDir, 'drafts');
    const draftFile = path.join(drafts, 'spec.tasks.json');
    writeFileSync(path.join(paths.stateDir, 'keep.txt'), 'saved');
    const before = snapshot(paths.stateDir);
    state.readOnly();

    const request = await caught(() =>
      approvals.request({
        pane: 'p1',
        agent: 'codex',
        kind: 'command',
        command: 'rm -rf build',
        reason: 'test',
        risk: 'high',
        reasons: [],
        source: 'agent',
      }),
    );
    expect((request as FleetError).code).toBe(ErrorCode.StateWrite);
    expect((request as FleetError).message).toContain(paths.approvalsDir);

    expectStateWrite(
      await caught(() => supervisor.save(emptySupervisorState())),
      path.join(paths.stateDir, 'supervisor.json'),
      refusedCode,
    );
    const planError = await caught(() => plans.save({ ...plan, title: 'Changed' }));
    expect((planError as FleetError).code).toBe(ErrorCode.StateWrite);

    const saver = createCheckpointer({ mode: 'json', root: path.join(paths.stateDir, 'checkpoints') });
    const checkpointError = await caught(() =>
      saver.put(
        { configurable: { thread_id: 't1', checkpoint_ns: '' } },
        {
          v: 4,
          id: '1f000000-0000-6000-8000-000000000001',
          ts: new Date().toISOString(),
          channel_values: {},
          channel_versions: {},
          versions_seen: {},
        },
        { source: 'input', step: -1, parents: {} },
        {},
      ),
    );
    expect((checkpointError as FleetError).code).toBe(ErrorCode.StateWrite);

    const source = {
      doc: 'spec.md',
      sha256: 'a'.repeat(64),
      decomposed_by: 'rules' as const,
      created_at: '2026-11-21T00:00:00Z',
    };
    const draftError = await caught(() => writeDraft(draftFile, { source, notes: [], tasks: [] }));
    expect((draftError as FleetError).code).toBe(ErrorCode.StateWrite);

    state.writable();
    expect(snapshot(paths.stateDir)).toEqual(before);
  });
});
