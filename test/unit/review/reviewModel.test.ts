import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveModelSettings } from '../../../extension/core/decisions';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { createReviewModel, runReview, type ReviewModelCall } from '../../../extension/core/review';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';
import { useTempDirs } from '../helpers';
import { seedWorkspace } from './seedWorkspace';

// The review's model path against the fake model server over real HTTP, through the real @openai/agents client.
const tempDir = useTempDirs();
const NOW = new Date('2026-11-20T12:00:00.000Z');
let server: FakeModelServer;

beforeEach(async () => {
  server = await startFakeModel({ keepBodies: true });
});
afterEach(async () => {
  await server.close();
});

async function model(): Promise<ReviewModelCall> {
  const settings = await resolveModelSettings({
    settings: { baseUrl: `${server.url}/v1`, model: 'fake-review', apiKey: 'k', timeoutSeconds: 20 },
    env: {},
  });
  return createReviewModel(settings!, { log: createMemoryLog() });
}

const reviewRequests = () => server.requests.filter((r) => r.fleetai === 'review');

describe('runReview with a model', () => {
  it("uses the model's valid answer: its ranking and headline", async () => {
    const { dir, pendingApprovalId } = await seedWorkspace(tempDir(), NOW);
    const rules = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    const review = await runReview({ workspace: dir, now: NOW, model: await model() });
    expect(reviewRequests()).toHaveLength(1);
    expect(review.source).toEqual({ kind: 'model', model: 'fake-review' });
    // The fake model returns the rules' steps in reverse order, each reason marked.
    expect(review.recommendations.map((r) => r.command)).toEqual(
      rules.recommendations.map((r) => r.command).reverse(),
    );
    expect(review.recommendations.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(review.recommendations[5]).toMatchObject({
      action: 'answer_approval',
      approvalId: pendingApprovalId,
      pane: 'api',
    });
    expect(review.recommendations[0]!.reason).toMatch(/\(ranked by the fake model\)$/);
    expect(review.headline).toBe('Fake model review: 6 step(s), 3 task(s) done.');
    // What the model was sent: the summarised facts, with the bottlenecks and the rules' suggestions.
    const body = reviewRequests()[0]!.body as { input: { content: string }[] | string };
    const text = Array.isArray(body.input) ? body.input.map((m) => m.content).join('') : body.input;
    const input = JSON.parse(text) as {
      tasks: { id: string }[];
      pending_approvals: { id: string }[];
      bottlenecks: { kind: string }[];
    };
    expect(input.tasks).toHaveLength(8);
    expect(input.pending_approvals.map((a) => a.id)).toEqual([pendingApprovalId]);
    expect(input.bottlenecks[0]!.kind).toBe('approval_wait');
  });

  it('falls back to the rules, and says so, when the answer does not fit the schema', async () => {
    const { dir } = await seedWorkspace(tempDir(), NOW);
    // The token travels in the facts the model reads (a task title), as any workspace text would.
    const config = path.join(dir, '.fleetai/orchestrator.json');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('"Orders page"', '"Orders page fleetai-fake:invalid"'),
    );
    const rules = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    const log = createMemoryLog();
    const review = await runReview({ workspace: dir, now: NOW, model: await model(), log });
    expect(reviewRequests()).toHaveLength(1);
    expect(review.source.kind).toBe('rules');
    expect(review.source.model).toBe('fake-review');
    expect(review.source.note).toMatch(
      /^The model's answer could not be used \(E_MODEL_BAD_OUTPUT: .*recommendations\[0\]\.action: Invalid option.*\); these are the rules' recommendations\.$/,
    );
    expect(review.recommendations).toEqual(rules.recommendations);
    expect(review.headline).toBe(rules.headline);
    expect(log.lines.some((l) => l.event === 'review.model_fallback')).toBe(true);
  });

  it('falls back when the model names a pane that does not exist, or the endpoint fails', async () => {
    const { dir } = await seedWorkspace(tempDir(), NOW);
    const inventing: ReviewModelCall = {
      name: 'inventive',
      call: () =>
        Promise.resolve({
          ok: true,
          latencyMs: 1,
          value: {
            headline: 'x',
            recommendations: [
              {
                action: 'nudge_pane',
                title: 't',
                reason: 'r',
                command: 'fleet send ghost "go"',
                pane: 'ghost',
              },
              { action: 'other', title: 't', reason: 'r', command: 'rm -rf .' },
            ],
          },
        }),
    };
    const invented = await runReview({ workspace: dir, now: NOW, model: inventing, saveBaseline: false });
    expect(invented.source.kind).toBe('rules');
    expect(invented.source.note).toContain('recommendations[0].pane: no pane "ghost"');
    expect(invented.source.note).toContain('recommendations[1].command: not a fleet or git command line');

    const settings = await resolveModelSettings({
      settings: { baseUrl: `${server.url}/v1`, model: 'fake-review', apiKey: 'k', timeoutSeconds: 20 },
      env: {},
    });
    const config = path.join(dir, '.fleetai/orchestrator.json');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('"Invoices"', '"Invoices fleetai-fake:http500"'),
    );
    const failing = await runReview({
      workspace: dir,
      now: NOW,
      model: createReviewModel(settings!, { log: createMemoryLog() }),
      saveBaseline: false,
    });
    expect(failing.source.kind).toBe('rules');
    expect(failing.source.note).toMatch(/\(E_MODEL_HTTP: .*500/);
    expect(failing.recommendations[0]!.action).toBe('answer_approval');
  });
});
