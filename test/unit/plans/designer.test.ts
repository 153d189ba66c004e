import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveModelSettings } from '../../../extension/core/decisions';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  createDesignModel,
  designPlan,
  designSchema,
  readWorkspaceFacts,
  type DesignModel,
} from '../../../extension/core/plans/designer';
import { validatePlan } from '../../../extension/core/plans/validatePlan';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';
import { caught, repoRoot, useTempDirs } from '../helpers';

// The Designer against the fake model server over real HTTP, through the real @openai/agents and openai client.
const tempDir = useTempDirs();
const builtinProfilesDir = path.join(repoRoot, 'agents-config');
let server: FakeModelServer;

beforeEach(async () => {
  server = await startFakeModel({ keepBodies: true });
});
afterEach(async () => {
  await server.close();
});

async function model(api: 'responses' | 'chat_completions' = 'responses'): Promise<DesignModel> {
  const settings = await resolveModelSettings({
    settings: { baseUrl: `${server.url}/v1`, model: 'fake-design', apiKey: 'k', timeoutSeconds: 20, api },
    env: {},
  });
  return createDesignModel(settings!, { log: createMemoryLog() });
}

const designRequests = () => server.requests.filter((r) => r.fleetai === 'design');

/** The JSON input the Designer sent in a recorded request (Responses API: a user message). */
function inputOf(index: number): { goal: string; problems?: string[]; workspace: { agent_kinds: string[] } } {
  const body = designRequests()[index]?.body as { input: { role: string; content: string }[] | string };
  const text = Array.isArray(body.input) ? body.input.map((m) => m.content).join('') : body.input;
  return JSON.parse(text) as ReturnType<typeof inputOf>;
}

describe('designPlan with a model', () => {
  it('sends the goal, workspace facts and node types, and returns a plan that validates', async () => {
    const workspace = tempDir();
    mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
    writeFileSync(
      path.join(workspace, '.fleetai/mcp.servers.json'),
      JSON.stringify({ mcpServers: { github: { command: 'x' }, everything: { command: 'y' } } }),
    );
    writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ scripts: { test: 'vitest' } }));
    const outcome = await designPlan({
      goal: 'Add a CSV export to the report page',
      model: await model(),
      workspace,
      builtinProfilesDir,
    });
    expect(outcome).toMatchObject({ source: 'model', model: 'fake-design', attempts: 1, rounds: [] });
    expect(validatePlan(outcome.plan).ok).toBe(true);
    expect(outcome.plan.id).toBe('add-a-csv-export-to-the-report-page');
    expect(outcome.plan.goal).toBe('Add a CSV export to the report page');
    expect(outcome.plan.nodes.map((n) => n.type)).toEqual([
      'sequence',
      'agent_invocation',
      'agent_invocation',
      'local_task',
      'agent_invocation',
      'human_approval',
    ]);
    const test = outcome.plan.nodes.find((n) => n.id === 'test');
    expect(test).toMatchObject({ action: { kind: 'command', command: 'npm', args: ['test'] } });

    expect(designRequests()).toHaveLength(1);
    const input = inputOf(0);
    expect(input.goal).toBe('Add a CSV export to the report page');
    expect(input).toMatchObject({
      workspace: { mcp_servers: ['github', 'everything'], test_command: ['npm', 'test'] },
      node_types: expect.arrayContaining(['sequence', 'mcp_tool', 'human_approval']) as unknown,
    });
    expect(input.workspace.agent_kinds).toEqual(expect.arrayContaining(['codex', 'claude', 'gemini']));
    expect(input.problems).toBeUndefined();
  });

  it('works over Chat Completions too', async () => {
    const outcome = await designPlan({
      goal: 'Add dark mode',
      model: await model('chat_completions'),
      workspace: tempDir(),
      builtinProfilesDir,
    });
    expect(outcome.source).toBe('model');
    expect(server.requests.filter((r) => r.fleetai === 'design').map((r) => r.api)).toEqual(['chat']);
  });

  it('sends the validation problems back and gets a valid plan within the bound', async () => {
    const outcome = await designPlan({
      goal: 'Add a CSV export fleetai-fake:invalid',
      model: await model(),
      workspace: tempDir(),
      builtinProfilesDir,
    });
    expect(outcome.attempts).toBe(2);
    expect(designRequests()).toHaveLength(2);
    expect(outcome.rounds).toHaveLength(1);
    expect(outcome.rounds[0]!.problems.join('\n')).toContain('no node has id "tset" (did you mean "test"?)');
    // The second request carried the problems and the design they belong to.
    const second = inputOf(1) as { problems?: string[]; previous_design?: { root: string } };
    expect(second.problems).toEqual(outcome.rounds[0]!.problems);
    expect(second.previous_design?.root).toBe('main');
    expect(validatePlan(outcome.plan).ok).toBe(true);
  });

  it('gives up after maxRepairs + 1 requests with the problems listed (E_PLAN_INVALID)', async () => {
    const error = await caught(async () =>
      designPlan({
        goal: 'Add a CSV export fleetai-fake:invalid_always',
        model: await model(),
        workspace: tempDir(),
        builtinProfilesDir,
        maxRepairs: 2,
      }),
    );
    expect(error).toBeInstanceOf(FleetError);
    const fleet = error as FleetError;
    expect(fleet.code).toBe(ErrorCode.PlanInvalid);
    expect(fleet.message).toContain('after 3 attempts');
    expect(fleet.message).toContain('no node has id "tset"');
    expect(fleet.details).toMatchObject({ attempts: 3 });
    expect((fleet.details as { problems: string[] }).problems.length).toBeGreaterThan(0);
    expect(designRequests()).toHaveLength(3);
  });

  it('honours a smaller bound: maxRepairs 0 asks once', async () => {
    const error = await caught(async () =>
      designPlan({
        goal: 'x fleetai-fake:invalid',
        model: await model(),
        workspace: tempDir(),
        builtinProfilesDir,
        maxRepairs: 0,
      }),
    );
    expect((error as FleetError).code).toBe(ErrorCode.PlanInvalid);
    expect(designRequests()).toHaveLength(1);
  });

  it('counts answers that are not JSON against the same bound (E_PLAN_INVALID naming the bad output)', async () => {
    const error = await caught(async () =>
      designPlan({
        goal: 'Add a thing fleetai-fake:malformed',
        model: await model(),
        workspace: tempDir(),
        builtinProfilesDir,
        maxRepairs: 1,
      }),
    );
    expect((error as FleetError).code).toBe(ErrorCode.PlanInvalid);
    expect((error as FleetError).message).toContain("The model's answer does not fit the");
    expect(designRequests()).toHaveLength(2);
  });

  it('stops at once on an HTTP error with its code, no repairs', async () => {
    const error = await caught(async () =>
      designPlan({
        goal: 'Add a thing fleetai-fake:http500',
        model: await model(),
        workspace: tempDir(),
        builtinProfilesDir,
      }),
    );
    expect((error as FleetError).code).toBe(ErrorCode.ModelHttp);
    expect((error as FleetError).details).toMatchObject({ status: 500, attempt: 1 });
    // The OpenAI client retries a 5xx once by itself (maxRetries 1); the Designer adds no repair on top.
    expect(designRequests()).toHaveLength(2);
  });

  it('sends the design schema as a strict structured output the fake model recognises', () => {
    // The tag the fake server reads is in the schema's description, not in the prompt.
    expect(designSchema.description).toMatch(/^fleetai:design\b/);
  });
});

describe('designPlan without a model', () => {
  it('uses the feature template for a feature goal and says so', async () => {
    const outcome = await designPlan({
      goal: 'Add a CSV export',
      workspace: tempDir(),
      builtinProfilesDir,
    });
    expect(outcome).toMatchObject({ source: 'template', template: 'feature-on-branch', attempts: 0 });
    expect(outcome.plan.nodes.map((n) => n.id)).toEqual([
      'feature',
      'plan',
      'implement',
      'test',
      'review',
      'merge-approval',
      'merge',
    ]);
    expect(validatePlan(outcome.plan).ok).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('chooses the fix template for repair goals in English and Chinese', async () => {
    for (const goal of ['Fix the crash when the list is empty', '修复登录页面的错误']) {
      const outcome = await designPlan({ goal, workspace: tempDir(), builtinProfilesDir });
      expect(outcome.template, goal).toBe('fix-until-tests-pass');
    }
    const feature = await designPlan({ goal: '添加导出功能', workspace: tempDir(), builtinProfilesDir });
    expect(feature.template).toBe('feature-on-branch');
  });

  it('uses a named template even when a model is given, and refuses an unknown one', async () => {
    const outcome = await designPlan({
      goal: 'Add a CSV export',
      model: await model(),
      template: 'fix-until-tests-pass',
      workspace: tempDir(),
      builtinProfilesDir,
    });
    expect(outcome.template).toBe('fix-until-tests-pass');
    expect(designRequests()).toHaveLength(0);
    const error = await caught(() =>
      designPlan({ goal: 'x', template: 'nope', workspace: tempDir(), builtinProfilesDir }),
    );
    expect((error as FleetError).code).toBe(ErrorCode.ConfigInvalid);
    expect((error as FleetError).message).toContain('feature-on-branch');
  });

  it('picks an agent kind the workspace has', async () => {
    const facts = await readWorkspaceFacts(tempDir(), builtinProfilesDir);
    expect(facts.agent_kinds).toContain('codex');
    const outcome = await designPlan({
      goal: 'Add a CSV export',
      workspace: tempDir(),
      facts: { agent_kinds: ['claude'], mcp_servers: [], test_command: null },
    });
    const plan = outcome.plan.nodes.find((n) => n.id === 'plan');
    expect(plan).toMatchObject({ agent: { agentKind: 'claude' } });
  });
});
