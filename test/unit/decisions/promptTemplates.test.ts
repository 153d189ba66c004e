import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PHASE_PROMPTS,
  PROMPT_NAMES,
  loadPromptTemplates,
} from '../../../extension/core/decisions/promptTemplates';
import { PHASES } from '../../../extension/core/decisions/decisionSchema';
import { createMemoryLog } from '../../../extension/core/observability/appLog';

const builtinDir = path.resolve('config/prompts');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-prompts-'));
  dirs.push(dir);
  return dir;
}

describe('prompt templates', () => {
  it('ships one template per name, each with a Chinese note for people that the model never sees', async () => {
    const templates = await loadPromptTemplates({ builtinDir });
    for (const name of PROMPT_NAMES) {
      const raw = readFileSync(path.join(builtinDir, `${name}.md`), 'utf8');
      expect(raw.startsWith('<!--\n用途：'), name).toBe(true);
      const t = templates.get(name);
      expect(t.file).toBe(path.join(builtinDir, `${name}.md`));
      expect(t.text).not.toMatch(/[\u4e00-\u9fff]/);
      expect(t.text).toContain('Answer only with the JSON object');
    }
    for (const phase of PHASES) expect(PROMPT_NAMES).toContain(PHASE_PROMPTS[phase]);
  });

  it('fills placeholders; a value left out reads (none)', async () => {
    const templates = await loadPromptTemplates({ builtinDir });
    const text = templates.render('execution', {
      agent: 'codex',
      pane: 'p7',
      phase: 'EXECUTING',
      task: 'Fix it',
    });
    expect(text).toContain('(codex, pane p7), in phase EXECUTING');
    expect(text).toContain('Task: Fix it');
    expect(text).toContain('Acceptance: (none)');
    expect(text).not.toContain('{{');
  });

  it('a workspace override replaces the shipped text, with a log line naming the file', async () => {
    const ws = tempDir();
    writeFileSync(path.join(ws, 'risk.md'), '<!-- mine -->\nJudge {{ agent }} strictly.\n');
    const log = createMemoryLog();
    const templates = await loadPromptTemplates({ builtinDir, workspaceDir: ws, log });
    expect(templates.get('risk')).toMatchObject({
      file: path.join(ws, 'risk.md'),
      text: 'Judge {{ agent }} strictly.',
    });
    expect(templates.render('risk', { agent: 'claude' })).toBe('Judge claude strictly.');
    expect(templates.get('planning').file).toBe(path.join(builtinDir, 'planning.md'));
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        event: 'prompt.override.loaded',
        context: { file: path.join(ws, 'risk.md') },
      }),
    );
  });

  it('a missing override is normal; an empty one falls back with a log line naming it', async () => {
    const ws = tempDir();
    writeFileSync(path.join(ws, 'summary.md'), '<!-- only a note -->\n  \n');
    const log = createMemoryLog();
    const templates = await loadPromptTemplates({ builtinDir, workspaceDir: ws, log });
    expect(templates.get('summary').file).toBe(path.join(builtinDir, 'summary.md'));
    expect(log.lines.map((l) => l.event)).toEqual(['prompt.override.empty']);
    expect(log.lines[0]?.context).toEqual({
      file: path.join(ws, 'summary.md'),
      fallback: path.join(builtinDir, 'summary.md'),
    });
  });

  it('an unknown placeholder is an error naming the file and line; the shipped text stays', async () => {
    const ws = tempDir();
    writeFileSync(path.join(ws, 'testing.md'), 'Verify {{task}}.\nThen {{ branch_name }}.\n');
    const log = createMemoryLog();
    const templates = await loadPromptTemplates({ builtinDir, workspaceDir: ws, log });
    expect(templates.get('testing').file).toBe(path.join(builtinDir, 'testing.md'));
    const line = log.lines.find((l) => l.event === 'prompt.override.invalid');
    expect(line?.level).toBe('error');
    expect(line?.context).toMatchObject({
      code: 'E_PROMPT_TEMPLATE',
      problems: [
        expect.stringContaining(`${path.join(ws, 'testing.md')}:2: unknown placeholder {{branch_name}}`),
      ],
    });
  });

  it('a broken shipped template throws E_PROMPT_TEMPLATE naming the file', async () => {
    const dir = tempDir();
    for (const name of PROMPT_NAMES)
      writeFileSync(path.join(dir, `${name}.md`), readFileSync(path.join(builtinDir, `${name}.md`)));
    writeFileSync(path.join(dir, 'decomposition.md'), 'Split {{doc}}.');
    await expect(loadPromptTemplates({ builtinDir: dir })).rejects.toMatchObject({
      code: 'E_PROMPT_TEMPLATE',
      message: expect.stringContaining(
        `${path.join(dir, 'decomposition.md')}:1: unknown placeholder {{doc}}`,
      ) as string,
    });
    rmSync(path.join(dir, 'risk.md'));
    mkdirSync(path.join(dir, 'risk.md'));
    writeFileSync(path.join(dir, 'decomposition.md'), 'Split {{task}}.');
    await expect(loadPromptTemplates({ builtinDir: dir })).rejects.toMatchObject({
      code: 'E_PROMPT_TEMPLATE',
      message: expect.stringContaining(path.join(dir, 'risk.md')) as string,
    });
  });
});

describe('prompt files named by the orchestrator config', () => {
  it('win over the workspace folder and the shipped defaults', async () => {
    const dir = tempDir();
    const named = path.join(dir, 'my-planning.md');
    writeFileSync(named, 'Plan {{pane}} carefully.');
    mkdirSync(path.join(dir, 'prompts'));
    writeFileSync(path.join(dir, 'prompts', 'planning.md'), 'From the workspace folder {{pane}}.');
    const templates = await loadPromptTemplates({
      builtinDir,
      workspaceDir: path.join(dir, 'prompts'),
      files: { planning: named },
      log: createMemoryLog(),
    });
    expect(templates.get('planning').file).toBe(named);
    expect(templates.get('planning').text).toBe('Plan {{pane}} carefully.');
  });
});
