import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../../../extension/core/approvals';
import { Emitter } from '../../../../extension/core/panes/events';
import type { ApprovalDecision, PaneState, PaneStateEvent } from '../../../../extension/core/panes/types';
import {
  paneAgentPort,
  readJournal,
  writeJournal,
  type PaneAgentDriver,
  type TurnPane,
} from '../../../../extension/core/plans/agents';
import type { WorkContext } from '../../../../extension/core/plans/executor/workPorts';
import type { PlanNodeOf } from '../../../../extension/core/plans/planSchema';
import { useTempDirs } from '../../helpers';
import { timeoutSignal } from '../../../../extension/core/timeoutSignal';

// The port's logic against a FAKE driver: scripted panes that go working -> (approval) -> awaiting_input and
// print an answer, without a terminal or an agent CLI. The real Codex runs in test/agents/planAgents.test.ts.

const tempDir = useTempDirs();

interface Script {
  answer: string;
  /** Files the "agent" writes during the turn (relative to its folder). */
  writes?: string[];
  /** Asks to run this command first, and waits for the answer. */
  approval?: string;
  /** Never finishes the turn. */
  hang?: boolean;
  /** The approval prompt stays on screen this long after its answer (as on a real screen). */
  linger?: number;
}

class FakePane implements TurnPane {
  readonly prompts: string[] = [];
  readonly answers: ApprovalDecision[] = [];
  readonly lines: string[] = ['› Ask the fake agent'];
  state: PaneState = {
    name: 'awaiting_input',
    reason: 'prompt',
    evidence: [],
    since: new Date(0).toISOString(),
  };
  stopped = false;
  /** Turns going on at once (must stay at most 1). */
  active = 0;
  maxActive = 0;
  private readonly emitter = new Emitter<PaneStateEvent>();
  private resumeApproval: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly cwd: string,
    readonly script: (prompt: string) => Script,
    readonly kind = 'fake',
  ) {}

  onState(listener: (event: PaneStateEvent) => void) {
    return this.emitter.event(listener);
  }

  private go(name: PaneState['name'], extra: Partial<PaneState> = {}): void {
    const from = this.state.name;
    this.state = { name, reason: name, evidence: [], since: new Date().toISOString(), ...extra };
    this.emitter.fire({
      type: 'pane.state',
      ts: this.state.since,
      pane: this.id,
      agent: this.kind,
      from,
      to: name,
      reason: name,
      evidence: [],
      ...(extra.approval ? { approval: extra.approval } : {}),
    });
  }

  send(text: string): Promise<boolean> {
    this.prompts.push(text);
    this.lines.push(`› ${text}`);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const script = this.script(text);
    void (async () => {
      await sleep(20);
      this.go('working');
      if (script.approval) {
        await sleep(20);
        await new Promise<void>((resolve) => {
          this.resumeApproval = resolve;
          this.go('awaiting_approval', {
            approval: { kind: 'command', command: script.approval, options: [] },
          });
        });
        await sleep(script.linger ?? 0);
        this.go('working');
      }
      if (script.hang) return;
      await sleep(20);
      for (const file of script.writes ?? []) writeFileSync(path.join(this.cwd, file), 'x');
      this.lines.push(`• ${script.answer}`, '', '› Ask the fake agent');
      this.active--;
      this.go('awaiting_input');
    })();
    return Promise.resolve(true);
  }

  answerApproval(decision: ApprovalDecision): Promise<unknown> {
    this.answers.push(decision);
    this.resumeApproval?.();
    return Promise.resolve(true);
  }

  tail(lines: number): Promise<string[]> {
    return Promise.resolve(this.lines.slice(-lines));
  }
}

function fakeDriver(cwd: string, script: (prompt: string) => Script = () => ({ answer: 'ok' })) {
  const panes = new Map<string, FakePane>();
  const starts: string[] = [];
  const driver: PaneAgentDriver = {
    start: (request) => {
      const id = `${request.name}-${panes.size + 1}`;
      starts.push(`${request.kind}@${request.branch ?? ''}`);
      const pane = new FakePane(id, cwd, script, request.kind);
      panes.set(id, pane);
      return Promise.resolve(pane);
    },
    find: (id) => panes.get(id),
    known: () => [...panes.keys()],
    stop: (id) => {
      panes.get(id)!.stopped = true;
      return Promise.resolve();
    },
  };
  return { driver, panes, starts };
}

function node(
  id: string,
  extra: Partial<PlanNodeOf<'agent_invocation'>> = {},
): PlanNodeOf<'agent_invocation'> {
  return {
    type: 'agent_invocation',
    id,
    title: id,
    requiresApproval: false,
    riskLevel: 'low',
    retries: 0,
    agent: { type: 'kind', agentKind: 'codex' },
    prompt: `do ${id}`,
    completion: [{ kind: 'turn_end' }],
    ...extra,
  } as PlanNodeOf<'agent_invocation'>;
}

function context(workspace: string, signal = new AbortController().signal): WorkContext {
  return { workspace, signal, env: process.env };
}

const fast = { settleMs: 0, firstSettleMs: 0, quietMs: 50 };

describe('paneAgentPort (fake driver)', () => {
  it('starts one pane per kind and branch, reuses it, answers with its text and pane id, and closes what it started', async () => {
    const dir = tempDir();
    const { driver, panes, starts } = fakeDriver(dir, (prompt) => ({ answer: `answer to ${prompt}` }));
    const port = paneAgentPort({ driver, journalDir: path.join(dir, 'journal'), ...fast });
    const first = await port.invokeAgent(node('one'), 't/one/1', context(dir));
    const second = await port.invokeAgent(node('two'), 't/two/1', context(dir));
    const other = await port.invokeAgent(
      node('three', { agent: { type: 'kind', agentKind: 'codex', branch: 'feature' } }),
      't/three/1',
      context(dir),
    );
    expect(first).toEqual({ ok: true, output: { text: 'answer to do one', pane: 'plan-codex-1' } });
    expect(second).toEqual({ ok: true, output: { text: 'answer to do two', pane: 'plan-codex-1' } });
    expect(other).toMatchObject({ ok: true, output: { pane: 'plan-codex-feature-2' } });
    expect(starts).toEqual(['codex@', 'codex@feature']);
    await port.close();
    expect([...panes.values()].map((p) => p.stopped)).toEqual([true, true]);
  });

  it('a pane target names the pane it does not know, and the ones it knows', async () => {
    const dir = tempDir();
    const { driver } = fakeDriver(dir);
    const port = paneAgentPort({ driver, journalDir: path.join(dir, 'journal'), ...fast });
    await port.invokeAgent(node('warm'), 't/warm/1', context(dir));
    const result = await port.invokeAgent(
      node('x', { agent: { type: 'pane', paneId: 'api' } }),
      't/x/1',
      context(dir),
    );
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.error).toContain('no pane "api" (known: plan-codex-1)');
  });

  it('checks every criterion: output_contains, file_exists, command_succeeds', async () => {
    const dir = tempDir();
    const { driver } = fakeDriver(dir, () => ({ answer: 'All tests pass', writes: ['made.txt'] }));
    const port = paneAgentPort({ driver, journalDir: path.join(dir, 'journal'), ...fast });
    const ok = await port.invokeAgent(
      node('good', {
        completion: [
          { kind: 'output_contains', text: 'tests pass' },
          { kind: 'file_exists', path: 'made.txt' },
          { kind: 'command_succeeds', command: 'test', args: ['-f', 'made.txt'] },
        ],
      }),
      't/good/1',
      context(dir),
    );
    expect(ok.ok).toBe(true);
    const bad = await port.invokeAgent(
      node('bad', {
        completion: [
          { kind: 'output_contains', text: 'LGTM' },
          { kind: 'file_exists', path: 'missing.txt' },
          { kind: 'command_succeeds', command: 'false', args: [] },
        ],
      }),
      't/bad/1',
      context(dir),
    );
    expect(bad.ok).toBe(false);
    const error = bad.ok ? '' : bad.error;
    expect(error).toContain('does not contain "LGTM"');
    expect(error).toContain('missing.txt does not exist');
    expect(error).toContain('false exited with 1');
    expect(bad.output).toEqual({ text: 'All tests pass', pane: 'plan-codex-1' });
  });

  it('resume: a prompt the journal says was sent is not sent again when the file criteria hold; otherwise it is', async () => {
    const dir = tempDir();
    const journalDir = path.join(dir, 'journal');
    const { driver, panes } = fakeDriver(dir, () => ({ answer: 'made it', writes: ['made.txt'] }));
    const port = paneAgentPort({ driver, journalDir, ...fast });
    const criteria = { completion: [{ kind: 'file_exists' as const, path: 'made.txt' }] };
    // 1. Crashed after the prompt went out, the work is there: finished without a prompt.
    await writeJournal(journalDir, { key: 't/a#0/1', node: 'a', pane: 'old', promptSentAt: 'then' });
    writeFileSync(path.join(dir, 'made.txt'), 'x');
    const resumed = await port.invokeAgent(node('a', criteria), 't/a#0/1', context(dir));
    expect(resumed).toEqual({ ok: true, output: { text: '', pane: 'old', resumed: true } });
    expect(panes.size).toBe(0); // not even a pane started
    // 2. Crashed after the prompt, the work is not there: prompted again.
    await writeJournal(journalDir, { key: 't/b#0/1', node: 'b', pane: 'old', promptSentAt: 'then' });
    const other = path.join(dir, 'sub');
    mkdirSync(other);
    const again = await port.invokeAgent(
      node('b', { completion: [{ kind: 'file_exists', path: 'sub/never.txt' }] }),
      't/b#0/1',
      context(dir),
    );
    expect(again.ok).toBe(false);
    expect([...panes.values()].flatMap((p) => p.prompts)).toEqual(['do b']);
    // 3. No journal: prompted, and the journal then holds the answer.
    const fresh = await port.invokeAgent(node('c', criteria), 't/c#0/1', context(dir));
    expect(fresh.ok).toBe(true);
    expect(await readJournal(journalDir, 't/c#0/1')).toMatchObject({ node: 'c', text: 'made it' });
    // 4. output_contains is checked on the answer the journal kept.
    const withText = await port.invokeAgent(
      node('c', { completion: [{ kind: 'output_contains', text: 'made' }] }),
      't/c#0/1',
      context(dir),
    );
    expect(withText).toMatchObject({ ok: true, output: { text: 'made it', resumed: true } });
    expect([...panes.values()].flatMap((p) => p.prompts)).toEqual(['do b', 'do c']);
  });

  it('an approval asked during the turn is filed in the ApprovalStore and the decision carried to the pane', async () => {
    const dir = tempDir();
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(dir, 'approvals') });
    mkdirSync(path.join(dir, 'approvals'), { recursive: true });
    const { driver, panes } = fakeDriver(dir, () => ({
      answer: 'ran it',
      approval: 'touch approved.txt',
      writes: ['approved.txt'],
      linger: 300,
    }));
    const port = paneAgentPort({
      driver,
      journalDir: path.join(dir, 'j'),
      approvals: store,
      pollMs: 20,
      ...fast,
    });
    const running = port.invokeAgent(node('ask'), 'run1/ask/1', context(dir));
    // The prompt lingers after the answer: it must not be filed a second time.
    let pending = await store.pending();
    for (let i = 0; i < 100 && pending.length === 0; i++) {
      await sleep(20);
      pending = await store.pending();
    }
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      pane: 'plan-codex-1',
      agent: 'codex',
      kind: 'command',
      command: 'touch approved.txt',
      source: 'agent',
      channelHint: 'run1/ask/1',
    });
    expect((await store.decide(pending[0]!.id, 'approve', { by: 'cli' })).ok).toBe(true);
    expect(await running).toMatchObject({ ok: true, output: { text: 'ran it' } });
    expect([...panes.values()][0]!.answers).toEqual(['approve']);
    expect(await store.pending()).toEqual([]);
    expect((await store.completed()).map((r) => r.decision)).toEqual(['approve']);
    expect(existsSync(path.join(dir, 'approved.txt'))).toBe(true);
  });

  it("the node's signal ends the wait: the turn fails and a pending approval is answered expired", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'approvals'), { recursive: true });
    const store = ApprovalStore.forWorkspace({ approvalsDir: path.join(dir, 'approvals') });
    const { driver } = fakeDriver(dir, () => ({ answer: '', approval: 'touch x', hang: true }));
    const port = paneAgentPort({
      driver,
      journalDir: path.join(dir, 'j'),
      approvals: store,
      pollMs: 20,
      ...fast,
    });
    const started = Date.now();
    const result = await port.invokeAgent(node('slow'), 'r/slow/1', context(dir, timeoutSignal(400)));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('time ran out');
    // The expiry is written by the approval's own wait, a moment after the node gave up.
    let decided = await store.completed();
    for (let i = 0; i < 100 && decided.length === 0; i++) {
      await sleep(20);
      decided = await store.completed();
    }
    expect(decided.map((r) => r.decision)).toEqual(['expired']);
  });

  it("a node without timeoutSeconds still ends, at the port's default limit", async () => {
    const dir = tempDir();
    const { driver } = fakeDriver(dir, () => ({ answer: '', hang: true }));
    const port = paneAgentPort({
      driver,
      journalDir: path.join(dir, 'j'),
      ...fast,
      defaultTimeoutSeconds: 0.3,
    });
    const result = await port.invokeAgent(node('stuck'), 'r/stuck/1', context(dir));
    expect(!result.ok && result.error).toContain('time ran out (state working)');
  });

  it('without an approvals store, an approval fails the node and names the command', async () => {
    const dir = tempDir();
    const { driver } = fakeDriver(dir, () => ({ answer: '', approval: 'touch y' }));
    const port = paneAgentPort({ driver, journalDir: path.join(dir, 'j'), ...fast });
    const result = await port.invokeAgent(node('n'), 'r/n/1', context(dir, timeoutSignal(5000)));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('asks for an approval (touch y)');
  });

  it('parallel nodes on one pane take turns: never two prompts in one turn', async () => {
    const dir = tempDir();
    const { driver, panes } = fakeDriver(dir, (prompt) => ({ answer: `re ${prompt}` }));
    const port = paneAgentPort({ driver, journalDir: path.join(dir, 'j'), ...fast });
    const results = await Promise.all(
      ['p1', 'p2', 'p3'].map((id) => port.invokeAgent(node(id), `r/${id}/1`, context(dir))),
    );
    expect(results.map((r) => r.ok && (r.output as { text: string }).text)).toEqual([
      're do p1',
      're do p2',
      're do p3',
    ]);
    const pane = [...panes.values()][0]!;
    expect(panes.size).toBe(1);
    expect(pane.maxActive).toBe(1);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
