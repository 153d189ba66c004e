import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestratorRun } from './orchestratorRun';

// Seed 003's scenarios against the real Codex CLI 0.169.0 and the fake model server, with `fleet orchestrator`
// running as its own process and every other `fleet` command run as a separate process, as a user would.
let run: OrchestratorRun | undefined;
afterEach(async () => {
  await run?.stop();
  run = undefined;
});

interface Status {
  running: boolean;
  state: {
    orchestrator_heartbeat?: string;
    panes: Record<
      string,
      {
        phase: string;
        blockers: { kind: string; reason: string }[];
        last_command_result?: { result: string; text: string; detail: string };
        failure_streak: number;
        next_actions: string[];
      }
    >;
  };
  pending_approvals: { id: string; pane: string; command?: string; risk: string }[];
}

describe('fleet orchestrator with a real Codex pane', () => {
  it('approval asked by Codex: approved once from the CLI, a second answer refused, the command runs', async () => {
    run = await OrchestratorRun.start();
    await run.settled('awaiting_input');
    const sent = run.fleet('send', 'codex', 'fake:approval Create the file approved.txt.');
    expect(sent.code, sent.stderr).toBe(0);
    const requested = await run.waitForLog(
      (l) => l.event === 'approval.requested',
      'an approval request',
      60_000,
    );
    expect(requested.context).toMatchObject({ pane: 'codex', command: 'touch approved.txt' });
    const pending = run.fleetJson<Status['pending_approvals']>('approvals:list');
    expect(pending).toHaveLength(1);
    const id = pending[0]!.id;
    expect(run.fleet('approvals:approve', id).code).toBe(0);
    const second = run.fleet('approvals:deny', id, '--reason', 'too late');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('E_APPROVAL_ALREADY_DECIDED');
    await run.waitForLog(
      (l) => l.event === 'approval.applied' && l.context?.id === id,
      'the decision applied',
    );
    await run.waitForLog((l) => l.event === 'command.result', 'the command result', 60_000);
    expect(existsSync(path.join(run.workdir, 'approved.txt'))).toBe(true);
    // F. The audit trail replays: counts, time span, the last command, the largest queue depth, the decision.
    const replay = run.fleet('replay', '--json');
    expect(replay.code, replay.stderr).toBe(0);
    const summary = JSON.parse(replay.stdout) as {
      byEvent: Record<string, number>;
      span?: { seconds: number };
      commands: { queued: number; dispatched: number; results: Record<string, number> };
      lastCommand?: { text?: string };
      maxQueueDepth?: { depth: number };
      approvals: { requested: number; decided: number; decisions: Record<string, number> };
    };
    expect(summary.commands).toMatchObject({ queued: 1, dispatched: 1, results: { success: 1 } });
    expect(summary.lastCommand?.text).toBe('fake:approval Create the file approved.txt.');
    expect(summary.maxQueueDepth?.depth).toBe(1);
    expect(summary.approvals).toMatchObject({ requested: 1, decided: 1, decisions: { approve: 1 } });
    expect(summary.span?.seconds).toBeGreaterThan(0);
    expect(summary.byEvent['pane.state']).toBeGreaterThanOrEqual(4);
    const text = run.fleet('replay');
    expect(text.stdout).toContain('Largest queue depth: 1');
    // One supervisor per workspace: a second one refuses to start and says who runs.
    const another = run.fleet('orchestrator');
    expect(another.code).toBe(1);
    expect(another.stderr).toContain('A supervisor already runs');
  });

  it('A. command feedback: a succeeding and a failing command land in last_command_result and the log', async () => {
    run = await OrchestratorRun.start({ recovery: { server_error: { max_retries: 0 } } }, { retries: 0 });
    await run.settled('awaiting_input');
    expect(run.fleet('send', 'codex', 'fake:plain Say hello.').code).toBe(0);
    const ok = await run.waitForLog((l) => l.event === 'command.result', 'the first result', 60_000);
    expect(ok.context).toMatchObject({ result: 'success', text: 'fake:plain Say hello.' });
    let status = run.fleetJson<Status>('status');
    expect(status.state.panes.codex?.last_command_result).toMatchObject({ result: 'success' });
    await run.settled('awaiting_input', 1000);
    const before = run.log().length;
    expect(run.fleet('send', 'codex', 'fake:http500 Fail now.').code).toBe(0);
    const failed = await run.waitForLog(
      (l) => l.event === 'command.result',
      'the second result',
      60_000,
      before,
    );
    expect(failed.context).toMatchObject({ result: 'failure', text: 'fake:http500 Fail now.' });
    expect(String(failed.context?.detail)).toMatch(/server/);
    status = run.fleetJson<Status>('status');
    expect(status.state.panes.codex?.last_command_result).toMatchObject({ result: 'failure' });
    expect(status.state.panes.codex?.failure_streak).toBe(1);
  });

  it('B. stall self-heal: nudged twice, then a human is told and a blocker recorded; work resumes after', async () => {
    run = await OrchestratorRun.start({ stall_timeout_seconds: 5, stall_retries_before_notify: 2 });
    // The first prompt stalls; the nudges ("continue") stall twice more, the next one is answered.
    run.server.script(['stall', 'stall', 'plain']);
    await run.settled('awaiting_input');
    expect(run.fleet('send', 'codex', 'fake:stall This never ends.').code).toBe(0);
    const notified = await run.waitForLog(
      (l) => l.event === 'notify.sent' && l.context?.title === 'Agent stalled',
      'the stall notification',
      90_000,
    );
    const nudges = run
      .log()
      .filter((l) => l.event === 'recovery.nudge' && Date.parse(l.ts) <= Date.parse(notified.ts));
    expect(nudges.map((n) => n.context?.attempt)).toEqual([1, 2]);
    expect(run.stderr).toContain('Agent stalled');
    const blocked = run.fleetJson<Status>('status');
    expect(blocked.state.panes.codex?.blockers.map((b) => b.kind)).toContain('stall');
    expect(blocked.state.panes.codex?.phase).toBe('BLOCKED');
    // After the cooldown the supervisor tries again; this time the model answers and the blocker goes.
    await run.waitForLog(
      (l) =>
        l.event === 'recovery.recovered' &&
        (l.context?.cleared as string[] | undefined)?.includes('stall') === true,
      'the recovery',
      90_000,
    );
    await run.settled('awaiting_input', 1000);
    const healed = run.fleetJson<Status>('status');
    expect(healed.state.panes.codex?.blockers).toEqual([]);
    // The model saw the first prompt, two nudges that stalled and the later nudge it answered.
    const turns = run.server.requests.filter((r) => r.model !== undefined && !r.aux);
    expect(turns.map((r) => r.behaviour)).toEqual(['stall', 'stall', 'stall', 'plain']);
    expect(turns.slice(1).every((r) => r.userText === 'continue')).toBe(true);
  });

  it('E. failure streak: at the threshold the pane is blocked and an alert goes out', async () => {
    run = await OrchestratorRun.start(
      { failure_alert_threshold: 2, recovery: { server_error: { max_retries: 0 } } },
      { retries: 0 },
    );
    await run.settled('awaiting_input');
    for (let i = 1; i <= 2; i++) {
      const before = run.log().length;
      expect(run.fleet('send', 'codex', `fake:http500 Failure ${i}.`).code).toBe(0);
      await run.waitForLog(
        (l) => l.event === 'command.result' && l.context?.result === 'failure',
        `failure ${i}`,
        60_000,
        before,
      );
      await run.settled('error', 500).catch(() => undefined);
    }
    const blocked = await run.waitForLog((l) => l.event === 'supervisor.blocked', 'the pane blocked', 10_000);
    expect(blocked.context).toMatchObject({ pane: 'codex', reason: 'failure_streak', failure_streak: 2 });
    await run.waitForLog(
      (l) =>
        l.event === 'notify.sent' ||
        (l.event === 'notify.local' && l.context?.title === 'Commands keep failing'),
      'the alert',
      10_000,
    );
    expect(run.stderr).toContain('Commands keep failing');
    const status = run.fleetJson<Status>('status');
    expect(status.state.panes.codex?.phase).toBe('BLOCKED');
    expect(status.state.panes.codex?.blockers.map((b) => b.kind)).toContain('failure_streak');
  });

  it('C. decision help: a missing API key becomes a blocker with next actions', async () => {
    run = await OrchestratorRun.start({}, { dropEnv: ['FAKE_MODEL_API_KEY'] });
    await run.settled('awaiting_input');
    expect(run.fleet('send', 'codex', 'fake:plain Say hello.').code).toBe(0);
    const advice = await run.waitForLog(
      (l) =>
        l.event === 'supervisor.next_actions' && JSON.stringify(l.context).includes('FAKE_MODEL_API_KEY'),
      'next actions about the key',
      60_000,
    );
    expect(advice.context?.source).toBe('rules');
    const status = run.fleetJson<Status>('status');
    expect(status.state.panes.codex?.next_actions.join(' ')).toContain('FAKE_MODEL_API_KEY');
  });

  it('dry run: decisions are logged with result dry_run and nothing is typed', async () => {
    run = await OrchestratorRun.start({}, { dryRun: true });
    await run.settled('awaiting_input');
    const sent = run.fleet('send', 'codex', 'fake:plain Do not type this.');
    expect(sent.code, sent.stderr).toBe(0);
    const result = await run.waitForLog((l) => l.event === 'command.result', 'the dry-run result', 30_000);
    expect(result.context).toMatchObject({ result: 'dry_run' });
    await new Promise((r) => setTimeout(r, 2000));
    expect(run.transcript()).not.toContain('Do not type this');
    expect(run.server.requests.some((r) => JSON.stringify(r).includes('Do not type this'))).toBe(false);
  });

  it("D. requirements decomposition: with the fake model, a task's document becomes task_decomposition; the task is dispatched", async () => {
    const doc = [
      '# Weather bot',
      '',
      '## Fetch the forecast',
      'Call the API.',
      '',
      '## Format the message',
      '',
      '## Send it to WeCom',
      '',
    ].join('\n');
    run = await OrchestratorRun.start(
      {
        model: { base_url: 'FAKE_URL/v1', model: 'fake-supervisor', api_key_env: 'FAKE_MODEL_API_KEY' },
        panes: [{ id: 'codex', agent: 'codex', command: 'CODEX', task: 'bot' }],
        tasks: [
          {
            id: 'bot',
            title: 'Build the weather bot',
            pane: 'codex',
            requirements_doc: 'docs/weather_bot_plan.md',
          },
        ],
      },
      { files: { 'docs/weather_bot_plan.md': doc } },
    );
    const decomposed = await run.waitForLog(
      (l) => l.event === 'task.decomposed',
      'the decomposition',
      60_000,
    );
    expect(decomposed.context?.task).toBe('bot');
    const status = run.fleetJson<
      Status & {
        state: {
          panes: Record<
            string,
            { task_decomposition?: { id: string; title: string; depends_on: string[] }[] }
          >;
        };
      }
    >('status');
    const subtasks = status.state.panes.codex?.task_decomposition ?? [];
    expect(subtasks.map((t) => t.title)).toEqual([
      'Fetch the forecast',
      'Format the message',
      'Send it to WeCom',
    ]);
    expect(subtasks[1]?.depends_on).toEqual([subtasks[0]?.id]);
    const request = run.server.requests.find((r) => r.fleetai === 'decompose');
    expect(request).toBeDefined();
    // The task itself is dispatched to its pane once the pane waits for input.
    const dispatched = await run.waitForLog(
      (l) => l.event === 'task.dispatched',
      'the task dispatched',
      60_000,
    );
    expect(dispatched.context).toMatchObject({ task: 'bot', pane: 'codex' });
    await run.waitForLog(
      (l) => l.event === 'command.dispatched' && l.context?.source === 'task',
      'the task prompt typed',
      60_000,
    );
  });

  it("C with a model: the blocker goes to the fake model, whose next actions replace the rules'", async () => {
    run = await OrchestratorRun.start(
      { model: { base_url: 'FAKE_URL/v1', model: 'fake-supervisor', api_key_env: 'FLEETAI_TEST_MODEL_KEY' } },
      { dropEnv: ['FAKE_MODEL_API_KEY'], extraEnv: { FLEETAI_TEST_MODEL_KEY: 'fake-key' } },
    );
    await run.settled('awaiting_input');
    expect(run.fleet('send', 'codex', 'fake:plain Say hello.').code).toBe(0);
    const decision = await run.waitForLog((l) => l.event === 'model.decision', 'a model decision', 60_000);
    expect(JSON.stringify(decision.context?.next_actions)).toMatch(/API key/i);
    expect(run.server.requests.some((r) => r.fleetai === 'decide')).toBe(true);
  });

  it('ask: a question typed into the running agent comes back with its answer', async () => {
    run = await OrchestratorRun.start();
    await run.settled('awaiting_input');
    const answer = await run.fleetAsync('ask', 'codex', 'fake:plain What are you doing?');
    expect(answer.code, answer.stderr).toBe(0);
    expect(answer.stdout).toContain('Hello from the fake model');
    expect(run.log().some((l) => l.event === 'ask.answered')).toBe(true);
    // A question quoting a risky command is refused: it must go through fleet send and an approval.
    const risky = await run.fleetAsync('ask', 'codex', 'Could you run `rm -rf /` for me?');
    expect(risky.code).toBe(1);
    expect(risky.stderr).toContain('E_ASK_NEEDS_APPROVAL');
  });
});
