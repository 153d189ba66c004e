import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ApprovalStore } from '../../../../extension/core/approvals';
import { createMemoryLog } from '../../../../extension/core/observability/appLog';
import { runPlan, type ExecutorEvent } from '../../../../extension/core/plans/executor';
import { readRunRecord, runFile } from '../../../../extension/core/plans/executor/runRecord';
import { useTempDirs } from '../../helpers';
import { effect, effects, valid } from './executorFixtures';

const tempDir = useTempDirs();

function workspace(): { workspace: string; stateDir: string } {
  const dir = tempDir();
  return { workspace: dir, stateDir: path.join(dir, '.fleetai', 'state') };
}

describe('runPlan on local tasks', () => {
  it('runs a sequence in order, checkpointed in JSON files, and records the run', async () => {
    const ws = workspace();
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['a', 'b', 'c'] },
        effect('a'),
        effect('b'),
        effect('c'),
      ],
      'main',
    );
    const events: ExecutorEvent[] = [];
    const result = await runPlan({ plan, ...ws, onEvent: (e) => events.push(e) });
    expect(result.status).toBe('done');
    expect(effects(ws.workspace)).toEqual(['a', 'b', 'c']);
    expect(result.nodes.a).toMatchObject({ status: 'done', attempts: 1, output: { exitCode: 0 } });
    expect(result.nodes.main?.status).toBe('done');
    expect(events.filter((e) => e.node === 'b').map((e) => e.status)).toEqual(['running', 'done']);
    const record = await readRunRecord(runFile(ws.stateDir, plan.id, result.thread));
    expect(record).toMatchObject({ status: 'done', planId: plan.id, waits: [] });
    expect(result.thread).toMatch(/^exec-plan-\d{8}T\d{9}Z$/);
  });

  it('runs the children of a parallel block in the same step, then joins', async () => {
    const ws = workspace();
    // Each child writes its start, waits 300 ms, writes its end: run at once, both starts precede both ends.
    const slow = (id: string) =>
      effect(id, {
        action: {
          kind: 'script',
          script: `echo ${id}:start >> effects.txt; sleep 0.3; echo ${id}:end >> effects.txt`,
        },
      });
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['fan', 'after'] },
        { type: 'parallel', id: 'fan', title: 'Fan', children: ['p1', 'p2', 'p3'] },
        slow('p1'),
        slow('p2'),
        slow('p3'),
        effect('after'),
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    const lines = effects(ws.workspace);
    const lastStart = Math.max(...['p1', 'p2', 'p3'].map((id) => lines.indexOf(`${id}:start`)));
    const firstEnd = Math.min(...['p1', 'p2', 'p3'].map((id) => lines.indexOf(`${id}:end`)));
    expect(lastStart).toBeLessThan(firstEnd);
    expect(lines.at(-1)).toBe('after');
    expect(result.nodes.fan?.status).toBe('done');
  });

  it('runs plans longer than the LangGraph default recursion limit of 25 steps', async () => {
    const ws = workspace();
    const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ids },
        ...ids.map((id) => ({
          type: 'local_task' as const,
          id,
          title: id,
          action: {
            kind: 'file' as const,
            operation: 'append' as const,
            path: 'effects.txt',
            content: `${id}\n`,
          },
        })),
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    expect(effects(ws.workspace)).toEqual(ids);
  });

  it('takes the branch a conditional picks from an earlier output and skips the other', async () => {
    const ws = workspace();
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['probe', 'choose'] },
        { type: 'local_task', id: 'probe', title: 'Probe', action: { kind: 'script', script: 'echo green' } },
        {
          type: 'conditional',
          id: 'choose',
          title: 'Choose',
          condition: { equals: ['$.nodes.probe.output.stdout', 'green'] },
          then: 'yes',
          else: 'no',
        },
        effect('yes'),
        effect('no'),
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    expect(effects(ws.workspace)).toEqual(['yes']);
    expect(result.nodes.no?.status).toBe('skipped');
    expect(result.nodes.choose).toMatchObject({ status: 'done', branch: 'then' });
  });

  it('repeats a loop body until its condition holds, bounded by maxIterations', async () => {
    const ws = workspace();
    // The body counts its passes in count.txt and succeeds from the third pass on.
    const plan = valid(
      [
        {
          type: 'loop',
          id: 'retry',
          title: 'Until green',
          body: 'step',
          maxIterations: 5,
          until: { equals: ['$.nodes.step.status', 'done'] },
        },
        {
          type: 'local_task',
          id: 'step',
          title: 'Step',
          retries: 0,
          continueOnError: true,
          action: {
            kind: 'script',
            // awk, not $(wc -l): a command substitution is high risk and would wait for a person.
            script: "echo pass >> effects.txt; awk 'END { exit NR < 3 }' effects.txt",
          },
        },
      ],
      'retry',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    expect(effects(ws.workspace)).toEqual(['pass', 'pass', 'pass']);
    expect(result.nodes.retry).toMatchObject({ status: 'done', iterations: 3 });

    const bounded = valid(
      [{ type: 'loop', id: 'twice', title: 'Twice', body: 'tick', maxIterations: 2 }, effect('tick')],
      'twice',
    );
    const ws2 = workspace();
    expect((await runPlan({ plan: bounded, ...ws2, checkpointer: 'memory' })).status).toBe('done');
    expect(effects(ws2.workspace)).toEqual(['tick', 'tick']);
  });

  it('retries a failing node, then marks it failed for a human and stops the plan', async () => {
    const ws = workspace();
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['flaky', 'never'] },
        effect('flaky', { action: { kind: 'script', script: 'echo try >> effects.txt; exit 3' } }),
        effect('never'),
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws });
    expect(result.status).toBe('failed');
    expect(effects(ws.workspace)).toEqual(['try', 'try', 'try']);
    expect(result.nodes.flaky).toMatchObject({ status: 'failed', attempts: 3 });
    expect(result.nodes.flaky?.error).toContain('exit code 3');
    expect(result.nodes.never?.status).toBe('skipped');
    expect(result.record.markedForHuman.map((m) => m.node)).toEqual(['flaky']);
  });

  it('fails agent and MCP nodes with E_PLAN_NODE_UNSUPPORTED until their ports exist', async () => {
    const ws = workspace();
    const plan = valid(
      [
        {
          type: 'mcp_tool',
          id: 'tool',
          title: 'Tool',
          server: 'everything',
          tool: 'echo',
          retries: 0,
        },
      ],
      'tool',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('failed');
    expect(result.nodes.tool?.error).toContain('E_PLAN_NODE_UNSUPPORTED');
  });

  it('keeps file operations inside the workspace', async () => {
    const ws = workspace();
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['write', 'escape'] },
        {
          type: 'local_task',
          id: 'write',
          title: 'Write',
          action: { kind: 'file', operation: 'write', path: 'out/a.txt', content: 'hello' },
        },
        {
          type: 'local_task',
          id: 'escape',
          title: 'Escape',
          retries: 0,
          action: { kind: 'file', operation: 'write', path: '../outside.txt', content: 'no' },
        },
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.nodes.write?.status).toBe('done');
    expect(result.nodes.escape?.status).toBe('failed');
    expect(result.nodes.escape?.error).toContain('outside the workspace');
  });
});

describe('runPlan with approvals', () => {
  it('waits in the ApprovalStore, returns with --no-wait, and resumes on the decision without asking twice', async () => {
    const ws = workspace();
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws.stateDir, 'approvals') });
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['before', 'gate', 'deploy'] },
        effect('before'),
        { type: 'human_approval', id: 'gate', title: 'Ship it?', question: 'Deploy now?', riskLevel: 'high' },
        effect('deploy', { requiresApproval: true, riskLevel: 'medium' }),
      ],
      'main',
    );
    const first = await runPlan({ plan, ...ws, approvals: store, wait: false });
    expect(first.status).toBe('waiting_approval');
    expect(first.waits.map((w) => w.node)).toEqual(['gate']);
    const [request] = await store.pending();
    expect(request).toMatchObject({ pane: 'plan:exec-plan', source: 'fleet', risk: 'high', kind: 'other' });

    // Running the same thread again (a restart) finds the same request instead of filing a second one.
    const again = await runPlan({ plan, ...ws, approvals: store, wait: false, thread: first.thread });
    expect(again.waits).toEqual(first.waits);
    expect(await store.pending()).toHaveLength(1);

    // Decide the way `fleet approvals:approve` does without a supervisor, while a run waits for it.
    const waiting = runPlan({ plan, ...ws, approvals: store, thread: first.thread, pollMs: 50 });
    await store.decide(request!.id, 'approve', { by: 'cli' });
    // deploy requires its own approval: approve it as soon as it is filed.
    for (let i = 0; i < 200 && (await store.pending()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    const [second] = await store.pending();
    expect(second).toMatchObject({ kind: 'command', risk: 'medium' });
    await store.decide(second!.id, 'approve', { by: 'cli' });
    const done = await waiting;
    expect(done.status).toBe('done');
    expect(effects(ws.workspace)).toEqual(['before', 'deploy']);
    expect(done.nodes.gate?.status).toBe('done');
  });

  it('an approval not decided within the node timeoutSeconds expires, which counts as a denial', async () => {
    const ws = workspace();
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws.stateDir, 'approvals') });
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['gate', 'after'] },
        {
          type: 'human_approval',
          id: 'gate',
          title: 'Go?',
          question: 'Go?',
          timeoutSeconds: 0.3,
          continueOnError: true,
        },
        effect('after'),
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws, approvals: store, pollMs: 50 });
    expect(result.status).toBe('done');
    expect(result.nodes.gate?.status).toBe('failed');
    expect(effects(ws.workspace)).toEqual(['after']);
    const [record] = await store.completed();
    expect(record).toMatchObject({ decision: 'expired', decidedBy: 'rule' });
  });

  it('rates commands by the risk rules: a critical one waits for a person although the plan asked for no approval', async () => {
    const ws = workspace();
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws.stateDir, 'approvals') });
    const plan = valid(
      [
        {
          type: 'local_task',
          id: 'wipe',
          title: 'Remove a folder outside the workspace',
          retries: 0,
          action: {
            kind: 'script',
            script: 'rm -rf ~/fleetai-plan-bench-never-exists && echo ran >> effects.txt',
          },
        },
      ],
      'wipe',
    );
    const first = await runPlan({ plan, ...ws, approvals: store, wait: false, checkpointer: 'memory' });
    expect(first.status).toBe('waiting_approval');
    expect(effects(ws.workspace)).toEqual([]);
    const [request] = await store.pending();
    expect(request).toMatchObject({ kind: 'command', risk: 'critical' });
    // Without an approvals store nobody could decide: the command does not run.
    const ws2 = workspace();
    const alone = await runPlan({ plan, ...ws2, checkpointer: 'memory' });
    expect(alone.status).toBe('failed');
    expect(effects(ws2.workspace)).toEqual([]);
  });

  it('a denied approval fails its node (and the plan, unless continueOnError)', async () => {
    const ws = workspace();
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(ws.stateDir, 'approvals') });
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['gate', 'after'] },
        { type: 'human_approval', id: 'gate', title: 'Go?', question: 'Go?' },
        effect('after'),
      ],
      'main',
    );
    const waiting = runPlan({ plan, ...ws, approvals: store, pollMs: 50 });
    for (let i = 0; i < 200 && (await store.pending()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    const [request] = await store.pending();
    await store.decide(request!.id, 'deny', { by: 'cli' });
    const result = await waiting;
    expect(result.status).toBe('failed');
    expect(result.nodes.gate?.status).toBe('failed');
    expect(result.nodes.gate?.error).toContain('denied');
    expect(effects(ws.workspace)).toEqual([]);
  });
});

describe("runPlan and the workspace's rules, records and log", () => {
  it("applies the deny list of the workspace's orchestrator.json: a denied command never runs", async () => {
    const ws = workspace();
    mkdirSync(path.join(ws.workspace, '.fleetai'), { recursive: true });
    writeFileSync(
      path.join(ws.workspace, '.fleetai', 'orchestrator.json'),
      JSON.stringify({ approvals: { deny: ['touch'] } }),
    );
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['first', 'forbidden'] },
        effect('first'),
        {
          type: 'local_task',
          id: 'forbidden',
          title: 'Touch a file',
          retries: 2,
          action: { kind: 'command', command: 'touch', args: ['made.txt'] },
        },
      ],
      'main',
    );
    const log = createMemoryLog();
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory', log });
    expect(result.status).toBe('failed');
    expect(result.nodes.forbidden?.error).toContain('denied by the risk rules');
    expect(existsSync(path.join(ws.workspace, 'made.txt'))).toBe(false);
    expect(effects(ws.workspace)).toEqual(['first']);
    // The failed node is in the app log for a person, with the run to look at.
    const marked = log.lines.filter((line) => line.event === 'plan.node.marked_for_human');
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatchObject({
      level: 'error',
      context: { planId: plan.id, thread: result.thread, node: 'forbidden' },
    });
    expect(log.lines.some((line) => line.event === 'plan.run.failed')).toBe(true);
    // And in the operations log, with a remedy for a person.
    const operations = readFileSync(path.join(ws.workspace, '.fleetai', 'operations-log.md'), 'utf8');
    expect(operations).toContain(`exec-plan / forbidden: failed`);
    expect(operations).toContain(result.thread);
    expect(operations).toMatch(/remedy .*denied by the risk rules/);
  });

  it('refuses to start with a broken orchestrator.json, naming the file, and leaves no run behind', async () => {
    const ws = workspace();
    mkdirSync(path.join(ws.workspace, '.fleetai'), { recursive: true });
    const config = path.join(ws.workspace, '.fleetai', 'orchestrator.json');
    writeFileSync(config, '{ "approvals": { "deny": "touch" } }');
    const plan = valid([effect('a')], 'a');
    await expect(runPlan({ plan, ...ws, checkpointer: 'memory' })).rejects.toThrow(config);
    expect(effects(ws.workspace)).toEqual([]);
    expect(existsSync(path.join(ws.stateDir, 'plans', plan.id, 'runs'))).toBe(false);
  });

  it('keeps an excerpt of each output and when each node ran in the run record', async () => {
    const ws = workspace();
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['say', 'big'] },
        effect('say', { action: { kind: 'script', script: 'echo hello-from-say' } }),
        effect('big', { action: { kind: 'script', script: 'head -c 5000 /dev/zero | tr "\\0" x' } }),
      ],
      'main',
    );
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    const record = await readRunRecord(runFile(ws.stateDir, plan.id, result.thread));
    expect(record?.nodes.say?.outputExcerpt).toContain('hello-from-say');
    const big = record?.nodes.big;
    expect(big?.outputExcerpt?.length).toBeLessThanOrEqual(2001);
    expect(big?.outputExcerpt?.endsWith('…')).toBe(true);
    expect(Date.parse(big?.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(big?.finishedAt ?? ''));
  });
});

describe('local tasks on a branch', () => {
  it("run in the branch's worktree (made the first time, reused after), files too", async () => {
    const ws = workspace();
    const git = (...args: string[]) => {
      const done = spawnSync('git', args, { cwd: ws.workspace, encoding: 'utf8' });
      expect(done.status, done.stderr).toBe(0);
      return done.stdout.trim();
    };
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'start');
    const plan = valid(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['where', 'write', 'again'] },
        effect('where', {
          action: { kind: 'script', script: 'git branch --show-current; pwd', branch: 'feat/x' },
        }),
        effect('write', {
          action: { kind: 'file', operation: 'write', path: 'note.txt', content: 'on x', branch: 'feat/x' },
        }),
        effect('again', {
          action: { kind: 'command', command: 'cat', args: ['note.txt'], branch: 'feat/x' },
        }),
      ],
      'main',
    );
    // Worktrees go next to the repository: removed here, the temp folder helper only removes the repository.
    onTestFinished(() => rmSync(`${ws.workspace}.worktrees`, { recursive: true, force: true }));
    const result = await runPlan({ plan, ...ws, checkpointer: 'memory' });
    expect(result.status).toBe('done');
    const [branch, folder] = String((result.nodes.where?.output as { stdout: string }).stdout)
      .trim()
      .split('\n');
    expect(branch).toBe('feat/x');
    expect(folder).not.toBe(ws.workspace);
    expect(existsSync(path.join(folder!, 'note.txt'))).toBe(true);
    expect(existsSync(path.join(ws.workspace, 'note.txt'))).toBe(false);
    expect((result.nodes.again?.output as { stdout: string }).stdout).toBe('on x');
    expect(git('worktree', 'list').split('\n')).toHaveLength(2);
  });
});
