import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decompose } from '../../../extension/core/requirements';
import { rulesDecompose } from '../../../extension/core/requirements/rulesDecompose';

const english = `# Weather bot

## Overview
A bot that posts the forecast every morning.

## 1. Fetch forecasts
Call the weather API for each city.

### Acceptance
- forecasts for 3 cities are cached
- Run \`npm test -- forecast\` to verify

## 2. Format messages
- [ ] messages fit in 2000 characters
- a plain bullet that is no acceptance item

## 3. Send to WeCom
Depends on Format messages.

**Acceptance:**
- a message reaches the test group

## Dashboard
This can start after Fetch forecasts is done.
\`\`\`
## not a heading (inside a code block)
\`\`\`
`;

// Seed 003's shape: Chinese numbering, a group of scenarios, a document-level 验收标准 section.
const chinese = `# 天气机器人端到端计划

## 目标
验证需求分解。

## 一、环境准备
1. 安装依赖

## 二、服务启动
### 验收
- 服务监听 9108 端口
- 运行 \`curl http://localhost:9108/metrics\` 验证

## 三、测试场景
### 场景 A：命令执行反馈
- [ ] 命令结果写入 metadata
### 场景 B：卡顿检测
依赖 场景 A
### OpenAI key 配置
说明

## 四、回归测试
执行全部测试

## 五、验收标准
- 七大场景全部通过
- 全量 pytest 0 失败
`;

describe('rules decomposition', () => {
  it('reads an English document: ids, numbered sequence, explicit dependencies, checklists, command', () => {
    const { tasks, notes } = rulesDecompose(english);
    expect(tasks.map((t) => t.id)).toEqual([
      'fetch-forecasts',
      'format-messages',
      'send-to-wecom',
      'dashboard',
    ]);
    expect(tasks.map((t) => t.title)).toEqual([
      'Fetch forecasts',
      'Format messages',
      'Send to WeCom',
      'Dashboard',
    ]);
    const [fetch, format, send, dashboard] = tasks;
    expect(fetch!.depends_on).toEqual([]);
    expect(fetch!.acceptance).toEqual({
      checklist: ['forecasts for 3 cities are cached', 'Run npm test -- forecast to verify'],
      command: 'npm test -- forecast',
    });
    // Numbered: 2 after 1.
    expect(format!.depends_on).toEqual(['fetch-forecasts']);
    expect(format!.acceptance).toEqual({ checklist: ['messages fit in 2000 characters'] });
    expect(send!.depends_on).toEqual(['format-messages']);
    expect(send!.acceptance).toEqual({ checklist: ['a message reaches the test group'] });
    // "after X" names a task: a dependency, though the heading is not numbered.
    expect(dashboard!.depends_on).toEqual(['fetch-forecasts']);
    expect(dashboard!.prompt).toContain('This can start after Fetch forecasts');
    expect(notes).toEqual([]);
  });

  it('reads a Chinese document: t<n> ids, groups as tags, 依赖, a document-level acceptance task', () => {
    const { tasks, notes } = rulesDecompose(chinese);
    expect(tasks.map((t) => [t.id, t.title])).toEqual([
      ['t1', '环境准备'],
      ['t2', '服务启动'],
      ['t3', '场景 A：命令执行反馈'],
      ['t4', '场景 B：卡顿检测'],
      ['openai-key', 'OpenAI key 配置'],
      ['t6', '回归测试'],
      ['t7', '验收标准'],
    ]);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    expect(byId.get('t1')!.depends_on).toEqual([]);
    expect(byId.get('t2')!.depends_on).toEqual(['t1']);
    expect(byId.get('t2')!.acceptance).toEqual({
      checklist: ['服务监听 9108 端口', '运行 curl http://localhost:9108/metrics 验证'],
      command: 'curl http://localhost:9108/metrics',
    });
    // The group 三 follows 二: its tasks start after t2, except the one that says what it depends on.
    expect(byId.get('t3')!.depends_on).toEqual(['t2']);
    expect(byId.get('t3')!.tags).toEqual(['测试场景']);
    expect(byId.get('t3')!.acceptance).toEqual({ checklist: ['命令结果写入 metadata'] });
    expect(byId.get('t4')!.depends_on).toEqual(['t3']);
    expect(byId.get('openai-key')!.depends_on).toEqual(['t2']);
    // 四 follows the whole group.
    expect(byId.get('t6')!.depends_on).toEqual(['t3', 't4', 'openai-key']);
    // 五、验收标准 belongs to no task: the whole document's acceptance, after everything else.
    expect(byId.get('t7')!.depends_on).toEqual(['t1', 't2', 't3', 't4', 'openai-key', 't6']);
    expect(byId.get('t7')!.acceptance).toEqual({ checklist: ['七大场景全部通过', '全量 pytest 0 失败'] });
    expect(notes).toEqual([]);
  });

  it('notes a dependency that names no task, and falls back to list items without headings', () => {
    const { tasks, notes } = rulesDecompose(
      '# Plan\n\n## Build\nDepends on Deploy pipeline.\n\n## Ship it\n',
    );
    expect(tasks[0]!.depends_on).toEqual([]);
    expect(notes).toEqual([
      '"Build" (build): the dependency "Deploy pipeline" names no task of the document',
    ]);
    const list = rulesDecompose('Steps:\n\n1. Write the parser\n   - handles tabs\n2. Write the printer\n');
    expect(list.tasks).toEqual([
      {
        id: 'write-the-parser',
        title: 'Write the parser',
        depends_on: [],
        acceptance: { checklist: ['handles tabs'] },
      },
      { id: 'write-the-printer', title: 'Write the printer', depends_on: ['write-the-parser'] },
    ]);
  });

  it('makes a draft that records the document and its hash', async () => {
    const { draft, attempts } = await decompose(chinese, {
      doc: 'docs/plan.md',
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(attempts).toBe(0);
    expect(draft.source).toEqual({
      doc: 'docs/plan.md',
      sha256: createHash('sha256').update(chinese, 'utf8').digest('hex'),
      decomposed_by: 'rules',
      created_at: '2026-01-02T03:04:05.000Z',
    });
    expect(draft.tasks).toHaveLength(7);
  });
});
