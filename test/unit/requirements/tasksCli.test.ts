import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { startFakeModel } from '../../fixtures/fake-model/server.mjs';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';

// `fleet tasks:*` as shipped (the CLI bundled the way extension/build/bundle.mjs does), as a child process.
let dir: string;
let cli: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-tasks-cli-'));
  cli = await buildCli(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without any model setting of this machine, so "no model" means no model. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => cleanCliEnv(extra);

function fleet(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBuiltCli(cli, args, { cwd, env });
}

const config = '{\n  // keep me\n  "tasks": [{ "id": "setup", "title": "Set up" }]\n}\n';
const doc = `# 天气机器人

## 一、获取天气
### 验收
- 缓存三个城市的天气

## 二、发送消息
依赖 获取天气
`;

describe('fleet tasks:decompose / tasks:apply / tasks:list', () => {
  it('decomposes, lets the draft be edited, applies with --yes and lists the tasks', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    mkdirSync(path.join(ws, '.fleetai'));
    mkdirSync(path.join(ws, 'docs'));
    writeFileSync(path.join(ws, '.fleetai/orchestrator.json'), config);
    writeFileSync(path.join(ws, 'docs/weather.md'), doc);

    const decomposed = await fleet(['tasks:decompose', 'docs/weather.md', '--no-model'], ws);
    expect(decomposed.stderr).toBe('');
    expect(decomposed.code).toBe(0);
    const draftFile = path.join(ws, '.fleetai/drafts/weather.tasks.json');
    expect(decomposed.stdout).toContain('2 task(s) from docs/weather.md, by the Markdown rules');
    expect(decomposed.stdout).toContain(`wrote ${draftFile}`);
    expect(decomposed.stdout).toContain('fleet tasks:apply .fleetai/drafts/weather.tasks.json');

    // The user edits the draft: renames t1 and gives it an acceptance command.
    const draft = JSON.parse(readFileSync(draftFile, 'utf8')) as {
      source: { doc: string };
      tasks: { id: string; depends_on: string[]; acceptance?: { checklist?: string[]; command?: string } }[];
    };
    expect(draft.source.doc).toBe('docs/weather.md');
    expect(draft.tasks.map((t) => [t.id, t.depends_on])).toEqual([
      ['t1', []],
      ['t2', ['t1']],
    ]);
    draft.tasks[0]!.id = 'fetch';
    draft.tasks[0]!.acceptance = { ...draft.tasks[0]!.acceptance, command: 'npm test' };
    draft.tasks[1]!.depends_on = ['fetch', 'setup'];
    writeFileSync(draftFile, JSON.stringify(draft, null, 2));

    // Not a terminal and no --yes: the diff is shown, nothing is written.
    const refused = await fleet(['tasks:apply', '.fleetai/drafts/weather.tasks.json'], ws);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('+      "id": "fetch"');
    expect(refused.stderr).toContain('--yes');
    expect(readFileSync(path.join(ws, '.fleetai/orchestrator.json'), 'utf8')).toBe(config);

    const applied = await fleet(['tasks:apply', '.fleetai/drafts/weather.tasks.json', '--yes'], ws);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('--- a/.fleetai/orchestrator.json');
    expect(applied.stdout).toContain('added 2 task(s)');
    const after = readFileSync(path.join(ws, '.fleetai/orchestrator.json'), 'utf8');
    expect(after).toContain('// keep me');
    const loaded = await loadOrchestratorConfig(path.join(ws, '.fleetai/orchestrator.json'));
    expect(loaded.config.tasks.map((t) => [t.id, t.depends_on])).toEqual([
      ['setup', []],
      ['fetch', []],
      ['t2', ['fetch', 'setup']],
    ]);
    expect(loaded.config.tasks[1]!.acceptance).toEqual({
      checklist: ['缓存三个城市的天气'],
      command: 'npm test',
    });

    const listed = await fleet(['tasks:list', '--json'], ws);
    expect(listed.code).toBe(0);
    const list = JSON.parse(listed.stdout) as { tasks: { id: string; title: string }[] };
    expect(list.tasks.map((t) => [t.id, t.title])).toEqual([
      ['setup', 'Set up'],
      ['fetch', '获取天气'],
      ['t2', '发送消息'],
    ]);

    // Applying again: the ids exist now; refused without --replace, naming the draft file and field.
    const again = await fleet(['tasks:apply', '.fleetai/drafts/weather.tasks.json', '--yes'], ws);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`E_CONFIG_REFERENCE: ${draftFile}:`);
    expect(again.stderr).toContain('tasks[0].id: "fetch" is already a task in orchestrator.json');
  }, 60_000);

  it('names the document when it cannot be read', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const result = await fleet(['tasks:decompose', 'missing.md'], ws);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read ${path.join(ws, 'missing.md')}`);
  }, 60_000);

  it('decomposes with the configured model; an answer that never fits writes no draft', async () => {
    // The fake model runs in this process; the async spawn leaves its event loop free to answer.
    const server = await startFakeModel();
    try {
      const ws = mkdtempSync(path.join(dir, 'ws-'));
      mkdirSync(path.join(ws, '.fleetai'));
      writeFileSync(
        path.join(ws, '.fleetai/orchestrator.json'),
        JSON.stringify({
          model: { base_url: `${server.url}/v1`, model: 'fake-tasks', api_key_env: 'TASKS_KEY' },
        }),
      );
      writeFileSync(path.join(ws, 'plan.md'), '# Plan\n\n## Build\n- compiles\n\n## Ship\n');
      writeFileSync(path.join(ws, 'broken.md'), '# Plan\n\n## Build\nfleetai-fake:invalid\n');
      const env = cleanEnv({ TASKS_KEY: 'sk-test' });

      const ok = await fleet(['tasks:decompose', 'plan.md', '--json'], ws, env);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const result = JSON.parse(ok.stdout) as {
        attempts: number;
        tasks: { id: string; depends_on: string[] }[];
      };
      expect(result.attempts).toBe(1);
      expect(result.tasks.map((t) => [t.id, t.depends_on])).toEqual([
        ['T1', []],
        ['T2', ['T1']],
      ]);
      expect(existsSync(path.join(ws, '.fleetai/drafts/plan.tasks.json'))).toBe(true);

      const bad = await fleet(['tasks:decompose', 'broken.md', '--max-repairs', '1'], ws, env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('E_MODEL_BAD_OUTPUT');
      expect(bad.stderr).toContain('after 2 attempt(s)');
      expect(bad.stderr).toMatch(/tasks\[0\]\.depends_on/);
      expect(existsSync(path.join(ws, '.fleetai/drafts/broken.tasks.json'))).toBe(false);
      expect(server.requests.filter((r) => r.fleetai === 'decompose')).toHaveLength(3);

      // --no-model: the rules, though a model is configured.
      const rules = await fleet(['tasks:decompose', 'plan.md', '--no-model'], ws, env);
      expect(rules.code).toBe(0);
      expect(rules.stdout).toContain('2 task(s) from plan.md, by the Markdown rules:');
    } finally {
      await server.close();
    }
  }, 60_000);
});
