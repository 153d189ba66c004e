import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeRunRecord } from '../../../extension/core/plans/executor/runRecord';
import { PlanStore } from '../../../extension/core/plans/planStore';
import { validatePlan } from '../../../extension/core/plans/validatePlan';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';
import { effect, valid } from './executor/executorFixtures';

// `fleet plan:design` as shipped (the CLI bundled the way extension/build/bundle.mjs does, into a temp folder),
// run as a child process against the fake model server of this process. Async spawn: a spawnSync would block
// this process's event loop, and with it the fake model the child is waiting for.
let dir: string;
let cli: string;
let server: FakeModelServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-design-cli-'));
  cli = await buildCli(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  server = await startFakeModel();
});
afterEach(async () => {
  await server.close();
});

/** The environment without any model setting of this machine, so "no model" means no model. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => cleanCliEnv(extra);

function fleet(
  args: string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBuiltCli(cli, args, { env });
}

/** A workspace whose orchestrator config names the fake model; the key comes from DESIGN_KEY. */
function workspaceWithModel(): string {
  const ws = mkdtempSync(path.join(dir, 'ws-'));
  mkdirSync(path.join(ws, '.fleetai'), { recursive: true });
  writeFileSync(
    path.join(ws, '.fleetai/orchestrator.json'),
    JSON.stringify({
      model: { base_url: `${server.url}/v1`, model: 'fake-design', api_key_env: 'DESIGN_KEY' },
    }),
  );
  return ws;
}

const designRequests = () => server.requests.filter((r) => r.fleetai === 'design');

describe('fleet plan:design', () => {
  it('designs with the configured model, repairs once, writes --out and saves a version', async () => {
    const ws = workspaceWithModel();
    const out = path.join(ws, 'designed.plan.json');
    const result = await fleet(
      ['plan:design', 'Add a CSV export fleetai-fake:invalid', '-w', ws, '--out', out, '--save'],
      cleanEnv({ DESIGN_KEY: 'sk-test' }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      'designed plan "add-a-csv-export" with the model fake-design in 2 attempt(s) (6 nodes)',
    );
    expect(lines[1]).toBe('  attempt 1 refused: 2 problem(s) sent back');
    expect(lines).toContain('    test  local_task  Run the tests');
    expect(lines).toContain(`wrote ${out}`);
    expect(lines).toContain(
      'saved as version v1 of plan "add-a-csv-export" (.fleetai/state/plans/add-a-csv-export/v1.json)',
    );
    expect(validatePlan(JSON.parse(readFileSync(out, 'utf8'))).ok).toBe(true);
    expect(existsSync(path.join(ws, '.fleetai/state/plans/add-a-csv-export/v1.json'))).toBe(true);
    expect(designRequests()).toHaveLength(2);
  });

  it('gives up with exit 1 and the problems listed when the model never fixes its plan', async () => {
    const ws = workspaceWithModel();
    const result = await fleet(
      ['plan:design', 'Add a CSV export fleetai-fake:invalid_always', '-w', ws, '--max-repairs', '1'],
      cleanEnv({ DESIGN_KEY: 'sk-test' }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe("E_PLAN_INVALID: the model's plan still has problems after 2 attempt(s)");
    expect(lines[1]).toBe('problems of the last answer:');
    expect(lines[2]).toBe(
      '  nodes[0] (id "main"): children[2]: no node has id "tset" (did you mean "test"?)',
    );
    expect(designRequests()).toHaveLength(2);

    const zh = await fleet(
      ['plan:design', 'x fleetai-fake:invalid_always', '-w', ws, '--max-repairs', '0'],
      cleanEnv({ DESIGN_KEY: 'sk-test', FLEETAI_LOCALE: 'zh-cn' }),
    );
    expect(zh.code).toBe(1);
    expect(zh.stderr.split('\n').slice(0, 2)).toEqual([
      'E_PLAN_INVALID: 模型设计的计划在 1 次尝试后仍有问题',
      '最后一次回答的问题：',
    ]);
  });

  it('uses a built-in template when no model is configured, and says so (English and Chinese)', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const en = await fleet(['plan:design', 'Fix the crash on empty lists', '-w', ws]);
    expect(en.code).toBe(0);
    expect(en.stdout.split('\n')[0]).toBe(
      'no model is configured: plan "fix-fix-the-crash-on-empty-lists" comes from the built-in template ' +
        '"fix-until-tests-pass" (11 nodes)',
    );
    const zh = await fleet(['plan:design', '添加导出功能', '-w', ws], cleanEnv({ FLEETAI_LOCALE: 'zh-cn' }));
    expect(zh.code).toBe(0);
    expect(zh.stdout.split('\n')[0]).toBe(
      '未配置模型：计划 "feature-work" 来自内置模板 "feature-on-branch"（7 个节点）',
    );
    const json = await fleet(['plan:design', 'Add search', '-w', ws, '--json']);
    const parsed = JSON.parse(json.stdout) as {
      ok: boolean;
      source: string;
      template: string;
      plan: unknown;
    };
    expect(parsed).toMatchObject({ ok: true, source: 'template', template: 'feature-on-branch' });
    expect(validatePlan(parsed.plan).ok).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('--template wins over the model; an unknown template is exit 1', async () => {
    const ws = workspaceWithModel();
    const env = cleanEnv({ DESIGN_KEY: 'sk-test' });
    const used = await fleet(
      ['plan:design', 'Add search', '-w', ws, '--template', 'fix-until-tests-pass'],
      env,
    );
    expect(used.code).toBe(0);
    expect(used.stdout.split('\n')[0]).toBe(
      'plan "fix-add-search" from the built-in template "fix-until-tests-pass" (11 nodes)',
    );
    expect(designRequests()).toHaveLength(0);
    const unknown = await fleet(['plan:design', 'Add search', '-w', ws, '--template', 'nope', '--json'], env);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      ok: false,
      error: { code: 'E_CONFIG_INVALID', message: expect.stringContaining('feature-on-branch') as unknown },
    });
    const zh = await fleet(
      ['plan:design', 'x', '-w', ws, '--template', 'nope'],
      cleanEnv({ FLEETAI_LOCALE: 'zh-cn' }),
    );
    expect(zh.stderr).toBe(
      'E_CONFIG_INVALID: 没有名为 "nope" 的计划模板（可用模板：feature-on-branch、fix-until-tests-pass）\n',
    );
  });

  it('--from-run re-plans what a run left undone and saves it as a new version', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const stateDir = path.join(ws, '.fleetai/state');
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b', 'c'] },
        effect('a'),
        effect('b'),
        effect('c'),
      ],
      'main',
    );
    const saved = await new PlanStore({ stateDir }).save(plan);
    // A run record as the executor writes it (runRecord.ts): a done, b failed, c never reached.
    await writeRunRecord(stateDir, {
      planId: plan.id,
      thread: 'exec-plan-20261121T120000000Z',
      planVersion: saved.version,
      workspace: ws,
      status: 'failed',
      started: '2026-11-21T12:00:00.000Z',
      updated: '2026-11-21T12:00:05.000Z',
      waits: [],
      nodes: {
        main: { status: 'failed' },
        a: { status: 'done', attempts: 1 },
        b: { status: 'failed', attempts: 3, error: 'exit code 1' },
        c: { status: 'skipped' },
      },
      markedForHuman: [{ node: 'b', error: 'exit code 1', at: '2026-11-21T12:00:05.000Z' }],
    });
    const result = await fleet(['plan:design', '--from-run', 'exec-plan-20261121T120000000Z', '-w', ws]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      're-planned from run exec-plan-20261121T120000000Z: 1 done node(s) left out (a), 3 remain',
      '  main  sequence  Main',
      '    b  local_task  Effect b',
      '    c  local_task  Effect c',
      'saved as version v2 of plan "exec-plan" (.fleetai/state/plans/exec-plan/v2.json)',
    ]);
    const v2 = await new PlanStore({ stateDir }).load('exec-plan', 2);
    expect(v2?.note).toBe('replanned from exec-plan-20261121T120000000Z');
    expect(v2?.plan.nodes.map((n) => n.id)).toEqual(['main', 'b', 'c']);

    const missing = await fleet(['plan:design', '--from-run', 'no-such-run', '-w', ws]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('E_PLAN_NOT_FOUND: no run no-such-run');
  });

  it('--from-run with a new goal and a model: the model designs the rest from the run state', async () => {
    const ws = workspaceWithModel();
    const stateDir = path.join(ws, '.fleetai/state');
    const plan = valid(
      [{ type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b'] }, effect('a'), effect('b')],
      'main',
      { goal: 'Do a and b' },
    );
    await new PlanStore({ stateDir }).save(plan);
    await writeRunRecord(stateDir, {
      planId: plan.id,
      thread: 'exec-plan-20261121T140000000Z',
      planVersion: 1,
      workspace: ws,
      status: 'failed',
      started: '2026-11-21T14:00:00.000Z',
      updated: '2026-11-21T14:00:05.000Z',
      waits: [],
      nodes: { main: { status: 'failed' }, a: { status: 'done' }, b: { status: 'failed' } },
      markedForHuman: [],
    });
    const result = await fleet(
      ['plan:design', 'Add a CSV export', '--from-run', 'exec-plan-20261121T140000000Z', '-w', ws, '--json'],
      cleanEnv({ DESIGN_KEY: 'sk-test' }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      replannedFrom: string;
      source: string;
      attempts: number;
      removed: string[];
      plan: { id: string; goal: string };
      saved: { version: number };
    };
    expect(parsed).toMatchObject({
      replannedFrom: 'exec-plan-20261121T140000000Z',
      source: 'model',
      attempts: 1,
      removed: ['a'],
      plan: { id: 'exec-plan', goal: 'Add a CSV export' },
      saved: { version: 2 },
    });
    expect(designRequests()).toHaveLength(1);
  });

  it('needs a goal without --from-run', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const result = await fleet(['plan:design', '-w', ws]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a goal is needed');
  });
});
