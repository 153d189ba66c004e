import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createModelDecider,
  loadPromptTemplates,
  resolveModelSettings,
  type DecisionContext,
  type ModelCallRecord,
  type ModelDecider,
  type ModelResult,
  type PromptTemplates,
} from '../../../extension/core/decisions';
import { createAppLog, createMemoryLog, type Logger } from '../../../extension/core/observability/appLog';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';

// The decider against the fake model server over real HTTP, through the real @openai/agents and openai client.
const KEY = 'sk-fleetai-test-DO-NOT-LOG-7f3a9c';

let server: FakeModelServer;
let templates: PromptTemplates;
const dirs: string[] = [];

beforeAll(async () => {
  templates = await loadPromptTemplates({ builtinDir: path.resolve('config/prompts') });
});
beforeEach(async () => {
  server = await startFakeModel({ keepBodies: true });
});
afterEach(async () => {
  await server.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function decider(
  extra: { api?: 'responses' | 'chat_completions'; timeoutSeconds?: number; baseUrl?: string } = {},
  log: Logger = createMemoryLog(),
  onCall?: (record: ModelCallRecord) => void,
): Promise<ModelDecider> {
  const settings = await resolveModelSettings({
    settings: { baseUrl: `${server.url}/v1`, model: 'fake-model', apiKey: KEY, timeoutSeconds: 20, ...extra },
    env: {},
  });
  return createModelDecider(settings, { log, templates, ...(onCall ? { onCall } : {}) });
}

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    pane: {
      id: 'p1',
      agent: 'codex',
      branch: 'feature/weather',
      state: 'awaiting_input',
      state_reason: 'prompt',
    },
    phase: 'EXECUTING',
    task: { id: 'T2', title: 'Add the forecast command', acceptance: { command: 'npm test' } },
    screen: ['› Ask Codex to do anything'],
    blockers: [],
    recent_actions: [{ action: 'nudge', detail: 'continue' }],
    ...overrides,
  };
}

function ok<T>(result: ModelResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure<T>(result: ModelResult<T>): {
  code: string;
  message: string;
  details?: Record<string, unknown>;
} {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('decide', () => {
  it('a blocker about a missing API key: BLOCKED, a person must set the key; sent as strict structured output', async () => {
    const d = await decider();
    const decision = ok(
      await d.decide(
        context({
          phase: 'BLOCKED',
          blockers: [
            { reason: 'OPENAI_API_KEY is not set: 401 Unauthorized', since: '2026-11-21T07:00:00Z' },
          ],
        }),
      ),
    );
    expect(decision.phase).toBe('BLOCKED');
    expect(decision.requires_confirmation).toBe(true);
    expect(decision.commands).toEqual([]);
    expect(decision.next_actions[0]).toMatch(/set the missing API key/i);
    expect(decision.blockers).toEqual([
      { reason: 'OPENAI_API_KEY is not set: 401 Unauthorized', since: '2026-11-21T07:00:00Z' },
    ]);

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request).toMatchObject({
      path: '/v1/responses',
      api: 'openai',
      fleetai: 'decide',
      model: 'fake-model',
    });
    const body = request.body as {
      instructions: string;
      input: { content: string }[];
      store: boolean;
      text: { format: { strict: boolean; schema: { required: string[] } } };
    };
    // BLOCKED decides with the planning template, its Chinese note left out and its placeholders filled.
    expect(body.instructions).toContain('pane p1');
    expect(body.instructions).toContain('Task: Add the forecast command');
    expect(body.instructions).not.toContain('用途');
    expect(body.instructions).not.toContain('{{');
    expect(body.store).toBe(false);
    expect(body.text.format.strict).toBe(true);
    expect(body.text.format.schema.required).toEqual(
      expect.arrayContaining([
        'commands',
        'summary',
        'phase',
        'blockers',
        'next_actions',
        'requires_confirmation',
      ]),
    );
    const sent = JSON.parse(body.input[0]!.content) as DecisionContext;
    expect(sent.pane.id).toBe('p1');
    expect(sent.recent_actions).toEqual([{ action: 'nudge', detail: 'continue' }]);
  });

  it('an idle pane with its task not done: one low-risk command for that pane', async () => {
    const records: ModelCallRecord[] = [];
    const d = await decider({}, createMemoryLog(), (r) => records.push(r));
    const result = await d.decide(context());
    const decision = ok(result);
    expect(decision.commands).toEqual([
      {
        text: 'Continue with the task: Add the forecast command',
        pane: 'p1',
        reason: 'the agent stopped before the task is done',
        risk: 'low',
      },
    ]);
    expect(decision.phase).toBe('EXECUTING');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(records).toEqual([{ op: 'decide', ok: true, latencyMs: result.latencyMs, model: 'fake-model' }]);
  });

  it('over Chat Completions too', async () => {
    const d = await decider({ api: 'chat_completions' });
    const decision = ok(await d.decide(context({ phase: 'VERIFYING' })));
    expect(decision.commands[0]?.text).toBe('Run `npm test` and report whether it passes.');
    expect(server.requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      api: 'chat',
      fleetai: 'decide',
    });
  });

  it('an answer that is not JSON: E_MODEL_BAD_OUTPUT', async () => {
    const d = await decider();
    const error = failure(await d.decide(context({ screen: ['fleetai-fake:malformed'] })));
    expect(error.code).toBe('E_MODEL_BAD_OUTPUT');
    expect(error.message).toContain('(root): the answer is not JSON');
  });

  it('an answer with a wrong field: E_MODEL_BAD_OUTPUT naming the field', async () => {
    const d = await decider({ api: 'chat_completions' });
    const error = failure(await d.decide(context({ screen: ['fleetai-fake:invalid'] })));
    expect(error.code).toBe('E_MODEL_BAD_OUTPUT');
    expect(error.message).toContain('commands[0].risk');
    expect(error.details?.problems).toEqual([expect.stringMatching(/^commands\[0\]\.risk: /)]);
  });

  it('a server that answers HTTP 500: E_MODEL_HTTP with the status', async () => {
    const d = await decider();
    const error = failure(await d.decide(context({ screen: ['fleetai-fake:http500'] })));
    expect(error.code).toBe('E_MODEL_HTTP');
    expect(error.details).toMatchObject({ status: 500 });
    expect(error.message).toContain(`${server.url}/v1`);
  });

  it('a dead server (closed port): E_MODEL_UNREACHABLE naming the URL', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/v1`;
    const d = await decider({ baseUrl: url });
    const error = failure(await d.decide(context()));
    expect(error.code).toBe('E_MODEL_UNREACHABLE');
    expect(error.message).toContain(url);
    expect(error.details).toMatchObject({ url, cause: 'ECONNREFUSED' });
  });

  it('a server that never answers: E_MODEL_TIMEOUT after the call timeout', async () => {
    const d = await decider();
    const result = await d.decide(context({ screen: ['fleetai-fake:stall'] }), { timeoutMs: 1500 });
    const error = failure(result);
    expect(error.code).toBe('E_MODEL_TIMEOUT');
    expect(error.message).toContain(`${server.url}/v1`);
    expect(result.latencyMs).toBeGreaterThanOrEqual(1400);
  });

  it('the CLIs’ own fake: tokens on a pane screen do not change the supervisor’s answer', async () => {
    const d = await decider();
    ok(await d.decide(context({ screen: ['› fake:http500 Fail.', '› fake:stall x'] })));
  });
});

describe('decompose, summarize, judgeRisk', () => {
  const requirements = [
    '# Weather bot',
    '',
    'A chat bot that answers weather questions.',
    '',
    '## Fetch forecasts',
    '- Calls the forecast API with the city name',
    '- Caches answers for 10 minutes',
    'Verify with `npm test -- forecast`.',
    '',
    '## Chat command',
    '- `/weather <city>` answers in one message',
    '',
    '### Details',
    'Not a task of its own.',
    '',
    '## Deploy',
    '- [ ] Runs as a systemd service',
  ].join('\n');

  it('splits a requirements document into one task per ## heading, in dependency order', async () => {
    const d = await decider();
    const tasks = ok(await d.decompose(requirements, 'Build the weather bot'));
    expect(tasks).toEqual([
      {
        id: 'T1',
        title: 'Fetch forecasts',
        depends_on: [],
        acceptance: {
          checklist: ['Calls the forecast API with the city name', 'Caches answers for 10 minutes'],
          command: 'npm test -- forecast',
        },
      },
      {
        id: 'T2',
        title: 'Chat command',
        depends_on: ['T1'],
        acceptance: { checklist: ['`/weather <city>` answers in one message'] },
      },
      {
        id: 'T3',
        title: 'Deploy',
        depends_on: ['T2'],
        acceptance: { checklist: ['Runs as a systemd service'] },
      },
    ]);
    const body = server.requests[0]?.body as { instructions: string };
    expect(body.instructions).toContain('Overall task: Build the weather bot');
  });

  it('a decomposition with a wrong field names it', async () => {
    const d = await decider();
    const error = failure(await d.decompose(`${requirements}\nfleetai-fake:invalid`));
    expect(error.code).toBe('E_MODEL_BAD_OUTPUT');
    expect(error.message).toContain('tasks[0].depends_on');
  });

  it('summarizes a transcript tail on top of the previous summary', async () => {
    const d = await decider();
    const summary = ok(
      await d.summarize(
        ['$ npm test', '3 passing', '1 failing: forecast cache', '', 'Fixing the cache key'],
        'Started the forecast task.',
      ),
    );
    expect(summary.summary).toContain('Started the forecast task.');
    expect(summary.summary).toContain('Fixing the cache key');
    expect(summary.highlights).toEqual(['$ npm test', '1 failing: forecast cache']);
  });

  it('judgeRisk only makes the rules’ verdict stricter', async () => {
    const d = await decider();
    const calmer = ok(await d.judgeRisk({ command: 'Explain the cache code', baseline: 'high' }));
    expect(calmer).toMatchObject({ risk: 'high', modelRisk: 'low' });
    const stricter = ok(await d.judgeRisk({ command: 'rm -rf / --no-preserve-root', baseline: 'low' }));
    expect(stricter).toMatchObject({ risk: 'critical', modelRisk: 'critical' });
    const error = failure(await d.judgeRisk({ command: 'fleetai-fake:invalid ls', baseline: 'medium' }));
    expect(error.message).toContain('risk');
  });
});

describe('without a model', () => {
  it('no model configured is the normal default: every call answers E_MODEL_NOT_CONFIGURED, no request', async () => {
    const settings = await resolveModelSettings({ env: { OPENAI_API_KEY: KEY } });
    expect(settings).toBeUndefined();
    const d = createModelDecider(settings, { log: createMemoryLog(), templates });
    expect(d.configured).toBe(false);
    expect(failure(await d.decide(context())).code).toBe('E_MODEL_NOT_CONFIGURED');
    expect(failure(await d.judgeRisk({ command: 'ls', baseline: 'low' })).code).toBe(
      'E_MODEL_NOT_CONFIGURED',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('secrets and hosts', () => {
  it('the key never reaches app.jsonl, whatever the outcome', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleetai-decisions-'));
    dirs.push(dir);
    const file = path.join(dir, 'app.jsonl');
    const log = createAppLog({ file, level: 'debug', sync: true });
    const d = await decider({}, log);
    ok(await d.decide(context()));
    failure(await d.decide(context({ screen: ['fleetai-fake:invalid'] })));
    failure(await d.decide(context({ screen: ['fleetai-fake:http500'] })));
    const dead = await decider({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` }, log);
    failure(await dead.decide(context()));
    await log.close();
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"event":"model.configured"');
    expect(text).toContain('"event":"model.call"');
    expect(text).toContain('"event":"model.call.failed"');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('7f3a9c');
  });

  it('settings carry the key for the client but not into JSON or a spread', async () => {
    const settings = await resolveModelSettings({
      settings: { model: 'm', baseUrl: server.url, apiKey: KEY },
    });
    expect(settings?.apiKey).toBe(KEY);
    expect(JSON.stringify(settings)).not.toContain(KEY);
    expect(JSON.stringify({ ...settings })).not.toContain(KEY);
  });
});

/** A port that was just free and is closed again: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const address = s.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
