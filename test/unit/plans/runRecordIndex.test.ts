import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listRuns,
  runFile,
  writeRunRecord,
  type RunRecord,
} from '../../../extension/core/plans/executor/runRecord';
import { RunRecordIndex } from '../../../extension/core/plans/executor/runRecordIndex';
import { useTempDirs } from '../helpers';

const tempDir = useTempDirs();

function record(planId: string, thread: string, started: string, status: RunRecord['status']): RunRecord {
  return {
    planId,
    thread,
    workspace: '/w',
    status,
    started,
    updated: started,
    waits: [],
    nodes: {},
    markedForHuman: [],
  };
}

describe('RunRecordIndex', () => {
  it('lists like listRuns (newest first), then sees rewritten, new and removed records', async () => {
    const stateDir = tempDir();
    const index = new RunRecordIndex(stateDir);
    expect(await index.list()).toEqual([]);
    await writeRunRecord(stateDir, record('a', 'a-1', '2026-11-21T10:00:00.000Z', 'running'));
    await writeRunRecord(stateDir, record('b', 'b-1', '2026-11-21T11:00:00.000Z', 'done'));
    // A half-written record (the writer's temporary file) is not a run.
    await fs.writeFile(`${runFile(stateDir, 'a', 'a-2')}.123.tmp`, '{');
    expect((await index.list()).map((r) => r.thread)).toEqual(['b-1', 'a-1']);
    expect(await index.list()).toEqual(await listRuns(stateDir));

    await writeRunRecord(stateDir, record('a', 'a-1', '2026-11-21T10:00:00.000Z', 'waiting_approval'));
    await writeRunRecord(stateDir, record('a', 'a-3', '2026-11-21T12:00:00.000Z', 'running'));
    await fs.rm(runFile(stateDir, 'b', 'b-1'));
    const again = await index.list();
    expect(again.map((r) => [r.thread, r.status])).toEqual([
      ['a-3', 'running'],
      ['a-1', 'waiting_approval'],
    ]);
    expect(path.isAbsolute(stateDir)).toBe(true);
  });
});
