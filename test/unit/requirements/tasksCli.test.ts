import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { buildCli } from '../audit/builtCli';

// `fleet tasks:*` as shipped (the CLI bundled the way extension/build/bundle.mjs does), as a child process.
let dir: string;
let cli: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-tasks-cli-'));
  cli = await buildCli(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without any model setting of this machine, so "no model" means no model. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(FLEETAI_|OPENAI_|LC_|LANG)/.test(key)) env[key] = value;
  return { ...env, FLEETAI_LOCALE: 'en' };
}

function fleet(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
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
});
