import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Review } from '../../extension/core/review/types';
import type { FleetAiApi } from '../../extension/vscode/api';
import { startFakeWecom, type FakeEndpoint, type RecordedRequest } from '../fakes/notifyEndpoints.mjs';
import { until } from './until';

// The daily review digest of the VS Code window's supervisor (issue 9, `review.digest_time`), in the real window
// (code-server's extension host): the window that owns the fleet schedules the same digest as `fleet orchestrator`
// and sends it through its own notifier to a WeCom group robot. The robot is the only stand-in: a local fake
// built from the public API format (test/fakes/notifyEndpoints.mjs), since the real service cannot be reached.
//
// Time: waiting for a wall-clock minute would be slow and fragile, so the test uses the window's test-only clock
// hook, FLEETAI_TEST_DIGEST_CLOCK (extension/core/review/shiftedClock.ts): set in the extension host's own
// environment (this test runs in that process), it starts the digest clock 3 s before `review.digest_time`;
// the real scheduler and its real timers then fire the digest a few seconds later.
const EXTENSION_ID = 'fleetai.fleetai';
const WECOM_KEY = 'review-digest-key-7a41';
/** extension/core/review/shiftedClock.ts DIGEST_CLOCK_ENV (not imported: the core's config loader does not bundle here). */
const DIGEST_CLOCK_ENV = 'FLEETAI_TEST_DIGEST_CLOCK';

const tasks = [
  { id: 'schema', title: 'Design the schema' },
  { id: 'api', title: 'Build the API', depends_on: ['schema'] },
  { id: 'ui', title: 'Build the UI', depends_on: ['api'] },
];

/** `fleet review --json --no-model --no-save` of this checkout, as a separate process. */
function reviewJson(cli: string, workspace: string): Promise<Review> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, 'review', '--json', '--no-model', '--no-save', '-w', workspace],
      { encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`fleet review failed: ${stderr}`)) : resolve(JSON.parse(stdout) as Review),
    );
  });
}

function wecomContent(request: RecordedRequest): string {
  const body = request.body as {
    msgtype?: string;
    markdown?: { content?: string };
    text?: { content?: string };
  };
  return (body.msgtype === 'text' ? body.text?.content : body.markdown?.content) ?? '';
}

describe("The window's supervisor in a real VS Code window: the daily review digest, tasks reloaded", function () {
  // Generous: the supervisor starts on a loaded 2-core machine; nothing here asserts a duration.
  this.timeout(120_000);
  let api: FleetAiApi;
  let folder: string;
  let configFile: string;
  let savedConfig: string | undefined;
  let wecom: FakeEndpoint & { key: string };
  let modeBefore: string;
  let logFrom = 0;
  let cli: string;

  const logEvents = async (event: string): Promise<unknown[]> => {
    const text = (await fs.readFile(api.appLogPath)).subarray(logFrom).toString('utf8');
    return text
      .split('\n')
      .flatMap((line) => {
        try {
          return line.trim() ? [JSON.parse(line) as { event: string }] : [];
        } catch {
          return []; // a line being written right now
        }
      })
      .filter((l) => l.event === event);
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<FleetAiApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    api = await extension.activate();
    const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(first, 'the test window has no workspace folder');
    folder = first;
    cli = path.join(extension.extensionPath, 'dist', 'cli.js');
    assert.ok(existsSync(cli), `${cli} is missing: build with npm run package`);
    wecom = await startFakeWecom({ key: WECOM_KEY });
    process.env.WECOM_WEBHOOK = wecom.url();

    // The digest is due at the next whole minute two hours from now (local time, as digest_time is read); the
    // window's digest clock starts 3 s before it.
    const due = new Date(Date.now() + 2 * 3600_000);
    due.setSeconds(0, 0);
    const hhmm = `${String(due.getHours()).padStart(2, '0')}:${String(due.getMinutes()).padStart(2, '0')}`;
    process.env[DIGEST_CLOCK_ENV] = new Date(due.getTime() - 3000).toISOString();

    configFile = path.join(folder, '.fleetai', 'orchestrator.json');
    savedConfig = await fs.readFile(configFile, 'utf8').catch(() => undefined);
    await fs.mkdir(path.dirname(configFile), { recursive: true });
    await fs.writeFile(
      configFile,
      JSON.stringify(
        {
          metrics_port: 0,
          portal: { port: 0 },
          notify: { channels: ['wecom'], timeout_seconds: 3, retry_min_seconds: 1, retry_max_seconds: 2 },
          review: { digest_time: hhmm },
          tasks,
        },
        null,
        2,
      ),
    );
    logFrom = existsSync(api.appLogPath) ? (await fs.stat(api.appLogPath)).size : 0;
    // The window reads its config when its supervisor starts: start it again if an earlier file started it.
    modeBefore = api.supervisor().mode;
    if (modeBefore === 'window') await vscode.commands.executeCommand('fleetai.stopOrchestrator');
  });

  after(async () => {
    delete process.env.WECOM_WEBHOOK;
    delete process.env[DIGEST_CLOCK_ENV];
    if (savedConfig === undefined) await fs.rm(configFile, { force: true });
    else await fs.writeFile(configFile, savedConfig);
    if (api.supervisor().mode === 'window') await vscode.commands.executeCommand('fleetai.stopOrchestrator');
    if (modeBefore === 'window') await vscode.commands.executeCommand('fleetai.startOrchestrator');
    await wecom.stop();
  });

  it("sends the review's headline and ranked next steps to the window's WeCom robot at digest_time", async () => {
    const summary = await vscode.commands.executeCommand<{ mode: string }>('fleetai.startOrchestrator');
    assert.equal(summary.mode, 'window', JSON.stringify(api.supervisor()));
    await until(
      async () => (await logEvents('review.digest.scheduled')).length > 0,
      () => 'review.digest.scheduled in the app log',
    );

    const message = await until(
      () => wecom.received.find((r) => wecomContent(r).includes('FleetAI daily review')),
      () => `the digest at the WeCom robot; received ${JSON.stringify(wecom.received.map(wecomContent))}`,
      60_000,
    );
    const content = wecomContent(message);
    // The same review the digest made, by the same core through the real `fleet review` (rules: no model is
    // configured), without touching the baseline.
    const review = await reviewJson(cli, folder);
    assert.ok(review.recommendations.length >= 1, JSON.stringify(review.recommendations));
    // The headline's first clause does not move with time (its forecast part may, by a minute).
    assert.ok(content.includes('0 of 3 tasks done (0%)'), content);
    assert.ok(content.includes(review.headline.split(';')[0]!), content);
    assert.ok(content.includes('Next steps:'), content);
    for (const step of review.recommendations.slice(0, 3)) {
      assert.ok(content.includes(step.title), `"${step.title}" in\n${content}`);
      assert.ok(content.includes(step.command), `"${step.command}" in\n${content}`);
    }
    assert.ok(!content.includes(WECOM_KEY), 'the robot key leaked into the message');
    assert.equal((await logEvents('review.digest')).length, 1);
  });

  it("reloads the window supervisor's task board when orchestrator.json changes; an invalid file keeps it", async () => {
    assert.equal(api.supervisor().mode, 'window', JSON.stringify(api.supervisor()));
    const taskIds = () =>
      api
        .treeItems('fleetai.tasks')
        .map((i) => i.id)
        .filter((id) => id.startsWith('task:'));
    assert.deepEqual(taskIds(), ['task:schema', 'task:api', 'task:ui']);
    const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as { tasks: unknown[] };
    config.tasks.push({ id: 'docs', title: 'Write the docs', depends_on: ['api'] });
    await fs.writeFile(configFile, JSON.stringify(config, null, 2));
    await until(
      () => taskIds().includes('task:docs'),
      () => `task:docs in the Tasks view without a restart; it shows ${JSON.stringify(taskIds())}`,
    );
    assert.equal((await logEvents('tasks.reloaded')).length, 1);

    // A dependency on a task that does not exist: reported, and the board stays as it was.
    config.tasks.push({ id: 'bad', title: 'Bad', depends_on: ['nope'] });
    await fs.writeFile(configFile, JSON.stringify(config, null, 2));
    await until(
      async () => (await logEvents('tasks.reload.invalid')).length === 1,
      () => 'tasks.reload.invalid in the app log',
    );
    assert.deepEqual(taskIds(), ['task:schema', 'task:api', 'task:ui', 'task:docs']);
    assert.equal(api.supervisor().mode, 'window');
  });

  it('stops the digest with the supervisor', async () => {
    await vscode.commands.executeCommand('fleetai.stopOrchestrator');
    await until(
      async () => (await logEvents('review.digest.stopped')).length === 1,
      () => 'review.digest.stopped in the app log after Stop Orchestrator',
    );
    assert.notEqual(api.supervisor().mode, 'window');
  });
});
