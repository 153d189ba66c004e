import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveModelSettings } from '../../../extension/core/decisions';
import { createStructuredModel } from '../../../extension/core/decisions/modelDecider';
import { isFleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  decompose,
  draftPathFor,
  modelDecompose,
  structuredDecomposeModel,
  writeDraft,
  type DecomposeModel,
} from '../../../extension/core/requirements';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';

// The model path against the fake model server (in this process): it answers `fleetai:decompose` with one task
// per `##` heading, each depending on the one before; `fleetai-fake:invalid` breaks one field of every answer.
let server: FakeModelServer;
let dir: string;
beforeEach(async () => {
  server = await startFakeModel({ keepBodies: true });
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-req-model-'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function model() {
  const settings = await resolveModelSettings({
    settings: { baseUrl: `${server.url}/v1`, model: 'fake-decompose', apiKey: 'k', timeoutSeconds: 20 },
    env: {},
  });
  return structuredDecomposeModel(createStructuredModel(settings!, { log: createMemoryLog() }));
}

const doc = '# Bot\n\n## Fetch\n- cached\n\n## Format\n- short\n\n## Send\nRun `npm test` to verify\n';
const decomposeRequests = () => server.requests.filter((r) => r.fleetai === 'decompose');

describe('model decomposition', () => {
  it('takes a valid answer in one request', async () => {
    const { draft, attempts } = await decompose(doc, { model: await model(), doc: 'docs/bot.md' });
    expect(attempts).toBe(1);
    expect(decomposeRequests()).toHaveLength(1);
    expect(draft.source).toMatchObject({
      doc: 'docs/bot.md',
      decomposed_by: 'model',
      model: 'fake-decompose',
    });
    expect(draft.tasks.map((t) => [t.id, t.title, t.depends_on])).toEqual([
      ['T1', 'Fetch', []],
      ['T2', 'Format', ['T1']],
      ['T3', 'Send', ['T2']],
    ]);
    expect(draft.tasks[0]!.acceptance).toEqual({ checklist: ['cached'] });
    expect(draft.tasks[2]!.acceptance).toEqual({ command: 'npm test' });
  });

  it('sends the problems of an invalid answer back, then gives up naming the field; nothing is written', async () => {
    const out = draftPathFor(path.join(dir, '.fleetai'), 'bot.md');
    const attempt = decompose(`${doc}\nfleetai-fake:invalid\n`, { model: await model(), maxRepairs: 2 }).then(
      async (result) => writeDraft(out, result.draft),
    );
    const error: unknown = await attempt.catch((e: unknown) => e);
    expect(isFleetError(error)).toBe(true);
    if (!isFleetError(error)) return;
    expect(error.code).toBe('E_MODEL_BAD_OUTPUT');
    expect(error.message).toContain('after 3 attempt(s)');
    expect(error.details?.attempts).toBe(3);
    // The fake breaks tasks[0].depends_on (a string instead of a list): the problem names that field.
    expect(String(error.details?.problems)).toMatch(/tasks\[0\]\.depends_on/);
    const requests = decomposeRequests();
    expect(requests).toHaveLength(3);
    // The second and third requests carry the problems of the answer before.
    const inputs = requests.map(
      (r) =>
        JSON.parse((r.body as { input: { content: string }[] }).input[0]!.content) as {
          problems?: string[];
        },
    );
    expect(inputs[0]!.problems).toBeUndefined();
    expect(inputs[1]!.problems?.join('\n')).toMatch(/tasks\[0\]\.depends_on/);
    expect(inputs[2]!.problems?.length).toBeGreaterThan(0);
    expect(existsSync(out)).toBe(false);
  });

  it('repairs an answer that fits the wire schema but not the checks, sending the answer and its problems back', async () => {
    // A scripted model, because the fake server's decompositions always pass the checks (one task per heading,
    // each after the one before): the first answer has a cycle, the second fixes it.
    const requests: { problems?: string[]; previous_answer?: unknown }[] = [];
    const answers = [
      {
        ok: false as const,
        latencyMs: 1,
        error: {
          code: 'E_MODEL_BAD_OUTPUT' as const,
          message: 'bad',
          details: {
            problems: ['tasks[0].depends_on: dependency cycle: a -> b -> a'],
            answer: { tasks: ['first'] },
          },
        },
      },
      { ok: true as const, latencyMs: 1, value: [{ id: 'a', title: 'A', depends_on: [] }] },
    ];
    const scripted: DecomposeModel = {
      name: 'scripted',
      decompose: (request) => {
        requests.push(JSON.parse(request.input) as { problems?: string[]; previous_answer?: unknown });
        return Promise.resolve(answers.shift()!);
      },
    };
    const { tasks, attempts } = await modelDecompose('## A\n## B\n', scripted);
    expect(attempts).toBe(2);
    expect(tasks).toEqual([{ id: 'a', title: 'A', depends_on: [] }]);
    expect(requests[0]!.problems).toBeUndefined();
    expect(requests[1]!.problems).toEqual(['tasks[0].depends_on: dependency cycle: a -> b -> a']);
    expect(requests[1]!.previous_answer).toEqual({ tasks: ['first'] });
  });
});
