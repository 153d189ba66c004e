import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FleetError } from '../../../extension/core/errors';
import { ErrorCode } from '../../../extension/core/errors';
import type { ApprovalRequestInput } from '../../../extension/core/approvals/approvalRecords';
import { ApprovalStore, type ApprovalsChange } from '../../../extension/core/approvals/approvalStore';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught, useTempDirs } from '../helpers';

const tempDir = useTempDirs();

const input: ApprovalRequestInput = {
  pane: 'p1',
  branch: 'feat/x',
  agent: 'codex',
  kind: 'command',
  command: 'git push --force',
  risk: 'high',
  reasons: ['git push --force rewrites the remote branch'],
  source: 'agent',
};

function store(dir = tempDir(), now?: () => Date): ApprovalStore {
  return ApprovalStore.forWorkspace(workspacePaths(dir), now ? { now } : {});
}

function json(file: string): { version: number; approvals: { id: string }[] } {
  return JSON.parse(readFileSync(file, 'utf8')) as { version: number; approvals: { id: string }[] };
}

describe('ApprovalStore', () => {
  it('keeps requests in <stateDir>/approvals/pending.json and answers in completed.json', async () => {
    const dir = tempDir();
    const approvals = store(dir, () => new Date('2026-11-21T10:00:00.000Z'));
    const record = await approvals.request(input);
    expect(record).toMatchObject({ ...input, requestedAt: '2026-11-21T10:00:00.000Z' });
    expect(record.id).toMatch(/^[0-9a-f]{8}$/);
    const pendingFile = path.join(dir, '.fleetai', 'state', 'approvals', 'pending.json');
    expect(approvals.pendingFile).toBe(pendingFile);
    expect(json(pendingFile)).toEqual({ version: 1, approvals: [record] });

    const result = await approvals.decide(record.id, 'approve', { by: 'vscode', message: 'go' });
    expect(result).toEqual({
      ok: true,
      record: {
        ...record,
        decision: 'approve',
        decidedBy: 'vscode',
        decidedAt: '2026-11-21T10:00:00.000Z',
        message: 'go',
      },
    });
    expect(json(pendingFile).approvals).toEqual([]);
    expect(json(approvals.completedFile).approvals).toEqual([result.ok && result.record]);
    expect(await approvals.pending()).toEqual([]);
    expect(await approvals.get(record.id)).toMatchObject({ decision: 'approve' });
  });

  it('refuses a second answer with E_APPROVAL_ALREADY_DECIDED naming who answered and when', async () => {
    const approvals = store();
    const { id } = await approvals.request(input);
    const first = await approvals.decide(id, 'deny', { by: 'cli' });
    expect(first.ok).toBe(true);
    const second = await approvals.decide(id, 'approve', { by: 'remote' });
    expect(second.ok).toBe(false);
    const error = (second as { error: FleetError }).error;
    expect(error.code).toBe(ErrorCode.ApprovalAlreadyDecided);
    expect(error.message).toMatch(new RegExp(`^Approval ${id} was already answered: deny by cli at \\d{4}-`));
    expect(error.details).toMatchObject({ id, decision: 'deny', decidedBy: 'cli' });
    expect((await approvals.completed()).length).toBe(1);
  });

  it('answers an unknown id with E_APPROVAL_NOT_FOUND and a bad decision with E_APPROVAL_INVALID', async () => {
    const approvals = store();
    const missing = await approvals.decide('nope', 'approve', { by: 'cli' });
    expect(!missing.ok && missing.error.code).toBe(ErrorCode.ApprovalNotFound);
    const { id } = await approvals.request(input);
    const bad = await approvals.decide(id, 'yes' as 'approve', { by: 'cli' });
    expect(!bad.ok && bad.error.code).toBe(ErrorCode.ApprovalInvalid);
    const badBy = await approvals.decide(id, 'approve', { by: 'someone' as 'cli' });
    expect(!badBy.ok && badBy.error.code).toBe(ErrorCode.ApprovalInvalid);
    const error = await caught(() => approvals.request({ ...input, risk: 'extreme' as 'high' }));
    expect((error as FleetError).code).toBe(ErrorCode.ApprovalInvalid);
    expect((error as FleetError).message).toContain('risk');
  });

  it('returns the pending request instead of a duplicate when a pane asks the same again', async () => {
    const approvals = store();
    const first = await approvals.request(input);
    const again = await approvals.request({ ...input, transcriptExcerpt: 'new screen' });
    expect(again.id).toBe(first.id);
    const other = await approvals.request({ ...input, command: 'npm publish' });
    expect(other.id).not.toBe(first.id);
    expect((await approvals.pending()).map((r) => r.id)).toEqual([first.id, other.id]);
    await approvals.decide(first.id, 'approve', { by: 'cli' });
    expect((await approvals.request(input)).id).not.toBe(first.id);
  });

  it('keeps only the end of a long transcript excerpt', async () => {
    const record = await store().request({ ...input, transcriptExcerpt: `${'x'.repeat(10_000)}END` });
    expect(record.transcriptExcerpt).toHaveLength(4000);
    expect(record.transcriptExcerpt?.endsWith('END')).toBe(true);
  });

  it('lists answered requests newest first, with a limit', async () => {
    let t = Date.parse('2026-11-21T10:00:00.000Z');
    const approvals = store(tempDir(), () => new Date((t += 1000)));
    const ids: string[] = [];
    for (const command of ['a', 'b', 'c']) {
      const { id } = await approvals.request({ ...input, command });
      await approvals.decide(id, 'approve', { by: 'cli' });
      ids.push(id);
    }
    expect((await approvals.completed()).map((r) => r.id)).toEqual(ids.slice().reverse());
    expect((await approvals.completed({ limit: 2 })).map((r) => r.command)).toEqual(['c', 'b']);
  });

  it('expires requests older than the given age, by rule', async () => {
    let now = new Date('2026-11-21T10:00:00.000Z');
    const approvals = store(tempDir(), () => now);
    const old = await approvals.request({ ...input, command: 'old' });
    now = new Date('2026-11-21T10:10:00.000Z');
    const fresh = await approvals.request({ ...input, command: 'fresh' });
    const expired = await approvals.expire(5 * 60_000);
    expect(expired.map((r) => [r.id, r.decision, r.decidedBy])).toEqual([[old.id, 'expired', 'rule']]);
    expect((await approvals.pending()).map((r) => r.id)).toEqual([fresh.id]);
    const late = await approvals.decide(old.id, 'approve', { by: 'remote' });
    expect(!late.ok && late.error.code).toBe(ErrorCode.ApprovalAlreadyDecided);
  });

  it('recovers a crash between writing completed.json and pending.json: completed is the truth', async () => {
    const approvals = store();
    const record = await approvals.request(input);
    // What the disk holds when a process dies right after writing completed.json.
    const answered = {
      ...record,
      decision: 'approve',
      decidedBy: 'cli',
      decidedAt: new Date().toISOString(),
    };
    writeFileSync(approvals.completedFile, `${JSON.stringify({ version: 1, approvals: [answered] })}\n`);
    expect(json(approvals.pendingFile).approvals.map((r) => r.id)).toEqual([record.id]);

    expect(await approvals.pending()).toEqual([]);
    expect(await approvals.get(record.id)).toMatchObject({ decision: 'approve', decidedBy: 'cli' });
    const again = await approvals.decide(record.id, 'deny', { by: 'vscode' });
    expect(!again.ok && again.error.code).toBe(ErrorCode.ApprovalAlreadyDecided);
    // The next write under the lock finishes the interrupted answer on disk.
    expect(json(approvals.pendingFile).approvals).toEqual([]);
    expect(json(approvals.completedFile).approvals).toHaveLength(1);
  });

  it('reports a broken file with its name and line, never overwrites it, and moves it aside only on repair', async () => {
    const approvals = store();
    await approvals.request(input);
    const broken = '{\n  "version": 1,\n  "approvals": [\n    {"id": "x",,}\n  ]\n}\n';
    writeFileSync(approvals.pendingFile, broken);

    for (const operation of [
      () => approvals.pending(),
      () => approvals.request({ ...input, command: 'other' }),
      () => approvals.decide('x', 'approve', { by: 'cli' }),
      () => approvals.expire(0),
    ]) {
      const error = await caught(operation);
      expect((error as FleetError).code).toBe(ErrorCode.StoreParse);
      expect((error as FleetError).message).toContain(`${approvals.pendingFile}:4:`);
    }
    expect(readFileSync(approvals.pendingFile, 'utf8')).toBe(broken);

    const moved = await approvals.repair();
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/pending\.json\.corrupt-\d{4}-/);
    expect(readFileSync(moved[0]!, 'utf8')).toBe(broken);
    expect(existsSync(approvals.pendingFile)).toBe(false);
    expect(await approvals.pending()).toEqual([]);
    expect(await approvals.repair()).toEqual([]);
  });

  it('reports a file that does not fit the schema as E_STORE_SCHEMA', async () => {
    const approvals = store();
    await approvals.request(input);
    writeFileSync(approvals.completedFile, '{"version": 1, "approvals": [{"id": 3}]}\n');
    const error = await caught(() => approvals.completed());
    expect((error as FleetError).code).toBe(ErrorCode.StoreSchema);
    expect((error as FleetError).message).toContain(approvals.completedFile);
  });

  it('moves the oldest half of a long history to an archive file, keeping every record', async () => {
    const dir = tempDir();
    const approvals = ApprovalStore.forWorkspace(workspacePaths(dir), { keepCompleted: 10 });
    for (let k = 0; k < 12; k++) {
      const { id } = await approvals.request({ ...input, command: `c${k}` });
      await approvals.decide(id, 'approve', { by: 'cli' });
    }
    const archives = readdirSync(approvals.dir).filter((f) => /^completed-.*\.json$/.test(f));
    expect(archives).toHaveLength(1);
    const archived = json(path.join(approvals.dir, archives[0]!)).approvals;
    const kept = json(approvals.completedFile).approvals;
    expect(archived.length + kept.length).toBe(11 + 1);
    expect(kept.length).toBeLessThanOrEqual(10);
  });

  it('serialises concurrent calls in one process: each id answered once', async () => {
    const approvals = store();
    const records = await Promise.all(
      ['a', 'b', 'c', 'd'].map((command) => approvals.request({ ...input, command })),
    );
    expect(new Set(records.map((r) => r.id)).size).toBe(4);
    const results = await Promise.all(
      records.flatMap((r) => [
        approvals.decide(r.id, 'approve', { by: 'vscode' }),
        approvals.decide(r.id, 'deny', { by: 'cli' }),
      ]),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.error.code === ErrorCode.ApprovalAlreadyDecided)).toHaveLength(4);
    expect(json(approvals.completedFile).approvals).toHaveLength(4);
  });

  it('watch sees what another store (another process) requests and decides', async () => {
    const dir = tempDir();
    const watched = store(dir);
    const other = store(dir);
    await watched.request({ ...input, command: 'before' });
    const changes: ApprovalsChange[] = [];
    const subscription = watched.watch((change) => changes.push(change));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const record = await other.request({ ...input, command: 'new' });
      await waitFor(() => changes.some((c) => c.requested.some((r) => r.id === record.id)));
      await other.decide(record.id, 'approve_for_session', { by: 'remote' });
      await waitFor(() => changes.some((c) => c.decided.some((r) => r.id === record.id)));
      const decided = changes.flatMap((c) => c.decided);
      expect(decided).toEqual([
        expect.objectContaining({ id: record.id, decision: 'approve_for_session', decidedBy: 'remote' }),
      ]);
      expect(changes.at(-1)!.pending.map((r) => r.command)).toEqual(['before']);
    } finally {
      subscription.dispose();
    }
    const count = changes.length;
    await other.request({ ...input, command: 'after dispose' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes.length).toBe(count);
  });

  it('watch reports a broken file as an error instead of throwing', async () => {
    const approvals = store();
    await approvals.request(input);
    const changes: ApprovalsChange[] = [];
    const subscription = approvals.watch((change) => changes.push(change));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      writeFileSync(approvals.pendingFile, '{');
      await waitFor(() => changes.some((c) => c.error));
      expect(changes.find((c) => c.error)!.error!.code).toBe(ErrorCode.StoreParse);
    } finally {
      subscription.dispose();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
