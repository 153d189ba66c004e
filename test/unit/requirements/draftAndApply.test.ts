import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { isFleetError } from '../../../extension/core/errors';
import {
  applyDraft,
  decompose,
  loadDraft,
  taskDraftSchema,
  validateDraft,
  writeDraft,
  type TaskDraft,
} from '../../../extension/core/requirements';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-req-apply-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const source = {
  doc: 'plan.md',
  sha256: 'a'.repeat(64),
  decomposed_by: 'rules',
  created_at: '2026-01-01T00:00:00Z',
};

function draftOf(tasks: unknown[]): TaskDraft {
  return taskDraftSchema.parse({ source, tasks });
}

// A hand-written config: comments, a trailing comma, four-space indentation and an odd key order, all of which
// must survive the merge untouched.
const config = `// FleetAI settings for the weather bot
{
    "stall_timeout_seconds": 90, // seed 003: 120 was too slow
    "panes": [
        { "id": "bot", "agent": "codex", "task": "existing" },
    ],
    /* the board */
    "tasks": [
        {
            "id": "existing",
            "title": "Already here",
        },
    ],
}
`;

describe('validateDraft', () => {
  it('names the draft file, line and field of each problem', () => {
    const file = path.join(dir, 'plan.tasks.json');
    const text = JSON.stringify(
      {
        source,
        tasks: [
          { id: 'a', title: 'A', depends_on: ['b'] },
          { id: 'b', title: 'B', depends_on: ['a', 'ghost'] },
          { id: 'a', title: 'A again' },
          { id: 'existing', title: 'Clash' },
        ],
      },
      null,
      2,
    );
    const { problems } = validateDraft(file, text, { existingTasks: [{ id: 'existing', depends_on: [] }] });
    const lines = problems.map((p) => p.text);
    expect(problems.map((p) => p.field)).toEqual([
      'tasks[2].id',
      'tasks[3].id',
      'tasks[1].depends_on[1]',
      'tasks[0].depends_on',
    ]);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: tasks\\[2\\]\\.id: duplicate id "a"`,
      ),
    );
    expect(lines[1]).toContain('"existing" is already a task in orchestrator.json');
    expect(lines[2]).toContain('no task "ghost" in the draft or in orchestrator.json');
    expect(lines[3]).toContain('dependency cycle: a -> b -> a');
    // Replacing: the clash is allowed.
    expect(
      validateDraft(file, text, {
        existingTasks: [{ id: 'existing', depends_on: [] }],
        replace: true,
      }).problems.map((p) => p.field),
    ).not.toContain('tasks[3].id');
  });

  it('reports schema problems (a bad id, an unknown key) at their field', async () => {
    const file = path.join(dir, 'bad.tasks.json');
    writeFileSync(
      file,
      JSON.stringify({ source, tasks: [{ id: 'has space', title: 'X', colour: 'red' }] }, null, 2),
    );
    const error: unknown = await loadDraft(file).catch((e: unknown) => e);
    expect(isFleetError(error) && error.code).toBe('E_CONFIG_SCHEMA');
    const problems = isFleetError(error) ? (error.details?.problems as string[]) : [];
    expect(problems.some((p) => p.startsWith(`${file}:`) && p.includes('tasks[0].id: must be 1-64'))).toBe(
      true,
    );
    expect(problems.some((p) => p.includes('tasks[0]: unknown key(s) "colour"'))).toBe(true);
  });

  it('round-trips a written draft with its $schema and source', async () => {
    const { draft } = await decompose('## Build\n\n## Test\n', { doc: 'plan.md' });
    const file = path.join(dir, '.fleetai/drafts/plan.tasks.json');
    await writeDraft(file, draft);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; source: { doc: string } };
    expect(written.$schema).toBe('./tasks-draft.schema.json');
    expect(existsSync(path.join(dir, '.fleetai/drafts/tasks-draft.schema.json'))).toBe(true);
    expect(written.source.doc).toBe('plan.md');
    expect((await loadDraft(file)).draft.tasks.map((t) => t.id)).toEqual(['build', 'test']);
  });
});

describe('applyDraft', () => {
  it('adds the tasks and keeps comments and formatting of the rest of the file', async () => {
    const file = path.join(dir, 'orchestrator.json');
    writeFileSync(file, config);
    const result = await applyDraft(
      draftOf([
        { id: 'fetch', title: 'Fetch', depends_on: ['existing'], acceptance: { checklist: ['cached'] } },
        { id: 't2', title: '格式化消息', depends_on: ['fetch'], tags: ['测试场景'] },
      ]),
      file,
      { displayName: 'orchestrator.json' },
    );
    const after = readFileSync(file, 'utf8');
    expect(result.added).toEqual(['fetch', 't2']);
    // Everything before the tasks is byte for byte the same.
    const head = config.slice(0, config.indexOf('"id": "existing"'));
    expect(after.startsWith(head)).toBe(true);
    expect(after).toContain('// FleetAI settings for the weather bot');
    expect(after).toContain('"stall_timeout_seconds": 90, // seed 003: 120 was too slow');
    expect(after).toContain('/* the board */');
    // Inserted in the file's own four-space style.
    expect(after).toMatch(/\n {8}\{\n {12}"id": "fetch",\n {12}"title": "Fetch",/);
    const loaded = await loadOrchestratorConfig(file);
    expect(loaded.config.tasks.map((t) => t.id)).toEqual(['existing', 'fetch', 't2']);
    expect(loaded.config.tasks[2]).toMatchObject({
      title: '格式化消息',
      depends_on: ['fetch'],
      tags: ['测试场景'],
    });
    expect(result.diff).toContain('--- a/orchestrator.json');
    expect(result.diff).toContain('+            "id": "fetch",');
    // Only additions: no line of the file was rewritten.
    expect(result.diff).not.toMatch(/^-(?!--)/m);
  });

  it('replaces a task of the same id only with replace', async () => {
    const file = path.join(dir, 'orchestrator.json');
    writeFileSync(file, config);
    const draft = draftOf([{ id: 'existing', title: 'Rewritten', depends_on: [] }]);
    const refused: unknown = await applyDraft(draft, file).catch((e: unknown) => e);
    expect(isFleetError(refused) && refused.code).toBe('E_CONFIG_REFERENCE');
    expect(readFileSync(file, 'utf8')).toBe(config);
    const result = await applyDraft(draft, file, { replace: true });
    expect(result.replaced).toEqual(['existing']);
    const loaded = await loadOrchestratorConfig(file);
    expect(loaded.config.tasks).toHaveLength(1);
    expect(loaded.config.tasks[0]!.title).toBe('Rewritten');
    expect(readFileSync(file, 'utf8')).toContain('/* the board */');
  });

  it('refuses a merge that makes the config invalid and leaves the file byte-identical', async () => {
    const file = path.join(dir, 'orchestrator.json');
    writeFileSync(file, config);
    // A pane the config does not have: the draft schema allows it, the config's references do not.
    const error: unknown = await applyDraft(draftOf([{ id: 'new', title: 'New', pane: 'nope' }]), file).catch(
      (e: unknown) => e,
    );
    expect(isFleetError(error) && error.code).toBe('E_CONFIG_REFERENCE');
    expect(isFleetError(error) && error.message).toContain('nothing was written');
    expect(isFleetError(error) && String(error.details?.problems)).toMatch(
      /tasks\[1\]\.pane: no pane with id "nope"/,
    );
    expect(readFileSync(file, 'utf8')).toBe(config);
    expect(readFileSync(file)).toEqual(Buffer.from(config, 'utf8'));
  });

  it('creates the config when there is none', async () => {
    mkdirSync(path.join(dir, '.fleetai'));
    const file = path.join(dir, '.fleetai/orchestrator.json');
    const result = await applyDraft(draftOf([{ id: 'a', title: 'A' }]), file);
    expect(result.existed).toBe(false);
    expect((await loadOrchestratorConfig(file)).config.tasks.map((t) => t.id)).toEqual(['a']);
  });
});
