import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardReviewState, DashboardSnapshot } from '../../extension/protocol/messages';
import type { FleetAiApi } from '../../extension/vscode/api';
import { until } from './until';

// The project review in the dashboard, in the real VS Code window: the dashboard opens on a workspace with a
// remembered review and shows it without making a new one; "Run review" (the webview's `review.run`, answered
// by the same handlers the panel's messages reach; only the postMessage hop is left out, which the end-to-end
// test in chromium clicks through) runs the palette command's review, whose result reaches the dashboard's
// snapshot; a broken config comes back as the coded error, with the previous review still shown.
const EXTENSION_ID = 'fleetai.fleetai';

const config = {
  metrics_port: 0,
  portal: { port: 0 },
  tasks: [
    { id: 'schema', title: 'Design the schema' },
    { id: 'api', title: 'Build the API', depends_on: ['schema'] },
    { id: 'ui', title: 'Build the UI', depends_on: ['api'] },
    { id: 'docs', title: 'Write the docs', depends_on: ['api'] },
  ],
};

const KEY_ENV = 'FLEETAI_REVIEW_DASHBOARD_TEST_KEY';
const REMEMBERED_AT = '2026-11-20T09:00:00.000Z';
const REMEMBERED_HEADLINE = 'Remembered review for the dashboard test: 0 of 4 tasks done.';

describe('The project review in the dashboard, in a real VS Code window', () => {
  let api: FleetAiApi;
  let folder: string;
  let configFile: string;
  let reviewDir: string;
  let previousConfig: string | undefined;
  let model: ChildProcess | undefined;
  const review = (): DashboardReviewState | undefined =>
    (api.webviewSnapshot('dashboard') as DashboardSnapshot).review;

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    configFile = path.join(folder, '.fleetai/orchestrator.json');
    reviewDir = path.join(folder, '.fleetai/state/review');
    // Other test files share the workspace: its config is put back as it was.
    previousConfig = await fs.readFile(configFile, 'utf8').catch(() => undefined);
    await fs.mkdir(path.dirname(configFile), { recursive: true });
    await fs.writeFile(configFile, JSON.stringify(config, null, 2));
    // A review remembered by `fleet review` or the palette, and no full copy of the dashboard's own.
    await fs.mkdir(reviewDir, { recursive: true });
    await fs.rm(path.join(reviewDir, 'dashboard.json'), { force: true });
    await fs.writeFile(
      path.join(reviewDir, 'last.json'),
      `${JSON.stringify({
        version: 1,
        at: REMEMBERED_AT,
        headline: REMEMBERED_HEADLINE,
        tasks: { schema: 'PLANNING', api: 'PLANNING', ui: 'PLANNING', docs: 'PLANNING' },
        branches: {},
        bottlenecks: [],
        approvalsAnswered: 0,
        done: 0,
        total: 4,
      })}\n`,
    );
    // A fresh panel: the remembered review is read when the dashboard opens.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    model?.kill();
    delete process.env[KEY_ENV];
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (previousConfig === undefined) await fs.rm(configFile, { force: true });
    else await fs.writeFile(configFile, previousConfig);
  });

  it('shows the remembered review when the dashboard opens, without making a new one', async () => {
    const asked = api.waitForDashboardRequest('dashboard.getSnapshot', 30_000);
    await vscode.commands.executeCommand('fleetai.showDashboard');
    await asked;
    const shown = await until(
      () => review()?.last?.headline === REMEMBERED_HEADLINE && review(),
      () => `dashboard review: ${JSON.stringify(review())}`,
    );
    assert.equal(shown.state, 'none');
    assert.deepEqual(shown.last, { at: REMEMBERED_AT, headline: REMEMBERED_HEADLINE, done: 0, total: 4 });
    assert.equal(shown.review, undefined);
    // Opening did not review: the remembered baseline is the one written above.
    const last = JSON.parse(await fs.readFile(path.join(reviewDir, 'last.json'), 'utf8')) as { at: string };
    assert.equal(last.at, REMEMBERED_AT);
  });

  it('runs the review on request and the result reaches the dashboard snapshot', async () => {
    // Two requests at once (two clicks, or two windows of the panel) make one review.
    const [answer, again] = await Promise.all([
      api.webviewRequest('review.run', { runTests: false }),
      api.webviewRequest('review.run', {}),
    ]);
    assert.equal(answer.state, 'ready', JSON.stringify(answer));
    const result = answer.review;
    assert.ok(result);
    assert.equal(again.review?.generatedAt, result.generatedAt);
    assert.equal(result.source.kind, 'rules');
    assert.equal(result.testsRun, false);
    assert.deepEqual(
      result.tasks.map((t) => t.id),
      ['schema', 'api', 'ui', 'docs'],
    );
    assert.equal(result.progress.total, 4);
    // The dependency chain schema -> api -> ui, docs is the bottleneck, and each step carries its command.
    assert.ok(
      result.bottlenecks.some((b) => b.kind === 'dependency_chain' && b.task === 'schema'),
      JSON.stringify(result.bottlenecks),
    );
    assert.ok(result.recommendations.length >= 1);
    assert.deepEqual(
      result.recommendations.map((r) => r.rank),
      result.recommendations.map((_, i) => i + 1),
    );
    assert.ok(result.recommendations.every((r) => /^(fleet|git) /.test(r.command)));
    assert.equal(result.sinceLast.previousAt, REMEMBERED_AT);

    const inSnapshot = await until(
      () => review()?.state === 'ready' && review(),
      () => `dashboard review: ${JSON.stringify(review())}`,
    );
    assert.deepEqual(inSnapshot.review, result);
    // Remembered for the next opening (the full copy) and as the next review's baseline.
    const copy = JSON.parse(await fs.readFile(path.join(reviewDir, 'dashboard.json'), 'utf8')) as {
      generatedAt: string;
    };
    assert.equal(copy.generatedAt, result.generatedAt);
    const last = JSON.parse(await fs.readFile(path.join(reviewDir, 'last.json'), 'utf8')) as { at: string };
    assert.equal(last.at, result.generatedAt);
  });

  it('answers a broken config with its coded error and keeps the previous review on screen', async () => {
    const before = review()?.review;
    assert.ok(before);
    await fs.writeFile(configFile, '{ "tasks": [ ');
    const answer = await api.webviewRequest('review.run', { runTests: false });
    assert.equal(answer.state, 'failed', JSON.stringify(answer));
    assert.equal(answer.error?.code, 'E_CONFIG_PARSE', JSON.stringify(answer.error));
    assert.match(answer.error?.message ?? '', /orchestrator\.json/);
    assert.equal(answer.review?.generatedAt, before.generatedAt);
    const shown = await until(
      () => review()?.state === 'failed' && review(),
      () => JSON.stringify(review()),
    );
    assert.equal(shown.error?.code, 'E_CONFIG_PARSE');
    assert.ok(existsSync(path.join(reviewDir, 'dashboard.json')));
  });

  it('uses the configured model as the palette command does, and shows it as the source', async () => {
    // The real fake model server, in its own process (its module has a top-level await the bundle cannot take).
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    let log = '';
    model = spawn(process.execPath, [path.join(root, 'test/fixtures/fake-model/server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    model.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    const url = await until(
      () => /listening on (\S+)/.exec(log)?.[1],
      () => `the fake model to listen: ${log}`,
    );
    process.env[KEY_ENV] = 'test-key-not-secret';
    await fs.writeFile(
      configFile,
      JSON.stringify({
        ...config,
        model: { base_url: `${url}/v1`, model: 'fake-review', api_key_env: KEY_ENV },
      }),
    );
    const answer = await api.webviewRequest('review.run', { runTests: false });
    assert.equal(answer.state, 'ready', JSON.stringify(answer));
    const result = answer.review;
    assert.ok(result);
    assert.deepEqual(result.source, { kind: 'model', model: 'fake-review' }, JSON.stringify(result.source));
    assert.match(result.headline, /^Fake model review/);
    assert.ok(result.recommendations.length >= 1);
    assert.ok(
      result.recommendations.every((r) => r.reason.endsWith('(ranked by the fake model)')),
      JSON.stringify(result.recommendations),
    );
    const shown = await until(
      () => review()?.review?.source.kind === 'model' && review(),
      () => JSON.stringify(review()),
    );
    assert.equal(shown.review?.generatedAt, result.generatedAt);
  });
});
