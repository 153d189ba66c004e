import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  appendOperationsEntry,
  operationsLogFile,
} from '../../../extension/core/observability/operationsLog';
import { appendFailedNode } from '../../../extension/core/plans/executor/operationsLog';
import { useStateFolders } from './readOnlyFolder';

const folders = useStateFolders();

describe('operations log (.fleetai/operations-log.md)', () => {
  it('appends readable Markdown entries under one header: when, who, what happened, what was tried, what to do', async () => {
    const workspace = folders.workspace();
    const entry = {
      at: '2026-11-21T10:00:00.000Z',
      subject: 'pane p1 (feat/x)',
      title: 'Agent keeps exiting',
      happened: 'p1: 3 restarts in a row failed (exit 1).\nNext attempt in 2 min.',
      tried: ['3 restart(s) that failed', 'restart circuit breaker open until 2026-11-21T10:02:00.000Z'],
      todo: 'run the agent by hand, then `fleet unblock p1`',
    };
    expect(await appendOperationsEntry(workspace, entry)).toBeUndefined();
    expect(
      await appendOperationsEntry(workspace, { ...entry, subject: 'pane p2', tried: [] }),
    ).toBeUndefined();
    const text = readFileSync(operationsLogFile(workspace), 'utf8');
    expect(operationsLogFile(workspace)).toBe(path.join(workspace, '.fleetai', 'operations-log.md'));
    expect(text.match(/^# FleetAI operations log/gm)).toHaveLength(1);
    expect(text).toContain('## 2026-11-21T10:00:00.000Z — pane p1 (feat/x): Agent keeps exiting\n');
    // One line per field: the message's own line break does not break the list.
    expect(text).toContain(
      '- what happened / 发生了什么: p1: 3 restarts in a row failed (exit 1). Next attempt in 2 min.\n',
    );
    expect(text).toContain(
      '- tried / 已尝试: 3 restart(s) that failed; restart circuit breaker open until 2026-11-21T10:02:00.000Z\n',
    );
    expect(text).toContain('- what to do / 处理办法: run the agent by hand, then `fleet unblock p1`\n');
    expect(text).toContain('## 2026-11-21T10:00:00.000Z — pane p2: Agent keeps exiting\n');
    expect(text).toContain('- tried / 已尝试: nothing / 无\n');
  });

  it('never throws when it cannot append: the failure is returned and logged', async () => {
    const workspace = folders.workspace();
    const fleetai = path.join(workspace, '.fleetai');
    mkdirSync(fleetai);
    writeFileSync(path.join(fleetai, 'keep.json'), '{}\n');
    const folder = folders.stateFolder(fleetai);
    folder.readOnly();
    const log = createMemoryLog();

    const failed = await appendOperationsEntry(
      workspace,
      { at: 'now', subject: 'pane p1', title: 't', happened: 'h', tried: [], todo: 'd' },
      log,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(log.lines.find((line) => line.event === 'operations_log.unwritable')).toMatchObject({
      level: 'warn',
      context: { file: operationsLogFile(workspace) },
    });
    const node = await appendFailedNode(
      workspace,
      { planId: 'p', thread: 't', node: 'n', title: 'N', error: 'boom', attempts: 3, at: 'now' },
      log,
    );
    expect(node).toBeInstanceOf(Error);
  });

  it("the executor's failed node entry names the run, the attempts and a remedy", async () => {
    const workspace = folders.workspace();
    await appendFailedNode(workspace, {
      planId: 'deploy',
      thread: 'deploy-1',
      node: 'build',
      title: 'Build',
      error: 'exit code 2',
      attempts: 3,
      at: '2026-11-21T10:00:00.000Z',
    });
    const text = readFileSync(operationsLogFile(workspace), 'utf8');
    expect(text).toContain('## 2026-11-21T10:00:00.000Z — deploy / build: failed / 失败');
    expect(text).toContain('- run: `deploy-1`');
    expect(text).toContain('3 attempt(s), retried with backoff');
    expect(text).toMatch(/remedy \/ 补救: Fix the cause .*fleet plan:status deploy-1/);
  });
});
