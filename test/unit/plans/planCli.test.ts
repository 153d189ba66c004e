import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../../extension/cli/program';
import { repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const example = path.join(repoRoot, 'config/plans/example.plan.json');

let saved: { exitCode: typeof process.exitCode; locale: string | undefined; path: string | undefined };
beforeEach(() => {
  saved = { exitCode: process.exitCode, locale: process.env.FLEETAI_LOCALE, path: process.env.PATH };
  process.env.FLEETAI_LOCALE = 'en';
  process.exitCode = undefined;
});
afterEach(() => {
  process.exitCode = saved.exitCode;
  if (saved.locale === undefined) delete process.env.FLEETAI_LOCALE;
  else process.env.FLEETAI_LOCALE = saved.locale;
  process.env.PATH = saved.path;
});

async function run(...args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  let out = '';
  let err = '';
  const program = createProgram({ out: (t) => (out += t), err: (t) => (err += t) });
  await program.parseAsync(args, { from: 'user' });
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, exitCode };
}

const brokenPlan = `{
  "schemaVersion": 1,
  "id": "broken",
  "title": "Broken",
  "root": "main",
  "nodes": [
    { "type": "sequence", "id": "main", "title": "Main", "children": ["build", "tset"] },
    { "type": "local_task", "id": "build", "title": "Build", "action": { "kind": "command", "command": "make" } },
    { "type": "local_task", "id": "lonely", "title": "Lonely", "action": { "kind": "timer", "seconds": 1 } },
    { "type": "local_task", "id": "test", "title": "Test", "retries": 11, "action": { "kind": "timer", "seconds": 1 } }
  ]
}
`;

describe('fleet plan:validate', () => {
  it('says the example plan is valid and exits 0', async () => {
    const result = await run('plan:validate', example);
    expect(result.out).toBe(`${example}: plan "example" is valid (14 nodes)\n`);
    expect(result.exitCode).toBe(0);
  });

  it('lists every problem with file:line:column, node and field, then a summary, and exits 1', async () => {
    const file = path.join(tempDir(), 'broken.plan.json');
    writeFileSync(file, brokenPlan);
    const result = await run('plan:validate', file);
    expect(result.out.split('\n')).toEqual([
      `${file}:7:80: nodes[0] (id "main"): children[1]: no node has id "tset" (did you mean "test"?)`,
      `${file}:9:5: nodes[2] (id "lonely"): "lonely" never runs: it is not the root and no node that runs contains it (add its id to a sequence's children, or remove it)`,
      `${file}:10:71: nodes[3] (id "test"): retries: Too big: expected number to be <=10`,
      `${file}:10:5: nodes[3] (id "test"): "test" never runs: it is not the root and no node that runs contains it (add its id to a sequence's children, or remove it)`,
      `${file}: not a valid plan: 4 errors in 3 nodes`,
      '',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('--json prints the problems as data', async () => {
    const file = path.join(tempDir(), 'broken.plan.json');
    writeFileSync(file, brokenPlan);
    const result = await run('plan:validate', file, '--json');
    const parsed = JSON.parse(result.out) as {
      ok: boolean;
      errors: number;
      problems: { code: string; nodeId?: string; line?: number }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors).toBe(4);
    expect(parsed.problems.map((p) => [p.code, p.nodeId])).toEqual([
      ['unknown_node', 'main'],
      ['unreachable', 'lonely'],
      ['schema', 'test'],
      ['unreachable', 'test'],
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('names a missing file and a file that is not JSON', async () => {
    const missing = await run('plan:validate', path.join(tempDir(), 'none.json'));
    expect(missing.out).toMatch(
      /none\.json: cannot read the file \(no such file\)\n.*not a valid plan: 1 error\n$/,
    );
    expect(missing.exitCode).toBe(1);
    const file = path.join(tempDir(), 'bad.json');
    writeFileSync(file, '{ "schemaVersion": 1,\n  nodes: [] }');
    const bad = await run('plan:validate', file);
    expect(bad.out.split('\n')[0]).toBe(`${file}:2:3: not valid JSON (invalid symbol)`);
  });

  it('answers in Simplified Chinese under a Chinese locale', async () => {
    process.env.FLEETAI_LOCALE = 'zh_CN.UTF-8';
    const result = await run('plan:validate', example);
    expect(result.out).toBe(`${example}: 计划 "example" 有效（14 个节点）\n`);
  });
});

describe('fleet plan:dry-run', () => {
  function workspaceWith(programs: string[]): string {
    const workspace = tempDir();
    const bin = path.join(workspace, 'bin');
    mkdirSync(bin);
    for (const name of programs) writeFileSync(path.join(bin, name), '#!/bin/sh\n', { mode: 0o755 });
    process.env.PATH = bin;
    return workspace;
  }

  it('checks the example plan against this machine without running it (exit 0 when its programs exist)', async () => {
    const workspace = workspaceWith(['node', 'sh', 'codex']);
    const result = await run('plan:dry-run', example, '--workspace', workspace);
    const lines = result.out.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('ok '))).toHaveLength(5);
    expect(lines).toContain(
      `ok           ${example}:84:47: nodes[8] (id "summarize"): agent.agentKind: agent profile "codex" exists`,
    );
    expect(lines.at(-1)).toBe(
      `${example}: dry run passed (nothing was run): 0 errors, 1 warning, 0 not checked, 5 ok`,
    );
    expect(result.exitCode).toBe(0);
  });

  it('exits 1 and names the node when a program is missing', async () => {
    const workspace = workspaceWith(['sh']);
    const result = await run('plan:dry-run', example, '--workspace', workspace, '--json');
    const parsed = JSON.parse(result.out) as {
      dryRun: { ok: boolean; checks: { nodeId: string; status: string; check: string }[] };
    };
    expect(parsed.dryRun.ok).toBe(false);
    expect(
      parsed.dryRun.checks.filter((c) => c.status === 'error').map((c) => `${c.nodeId}/${c.check}`),
    ).toEqual(['node-version/program', 'probe/program', 'summarize/agent_program']);
    expect(result.exitCode).toBe(1);
  });

  it('refuses a plan that does not validate before checking anything', async () => {
    const file = path.join(tempDir(), 'broken.plan.json');
    writeFileSync(file, brokenPlan);
    const result = await run('plan:dry-run', file, '--workspace', tempDir());
    expect(result.out).toContain('no node has id "tset"');
    expect(result.out.trim().split('\n').at(-1)).toBe(`${file}: not a valid plan: 4 errors in 3 nodes`);
    expect(result.exitCode).toBe(1);
  });
});
