import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfiles } from '../../extension/core/agents/profiles';
import { resolveAgent } from '../../extension/core/agents/resolveAgent';
import { askAgent, chromeFromRules, type AskResult } from '../../extension/core/decisions/askAgent';
import { createMemoryLog } from '../../extension/core/observability/appLog';
import { nodePtyHost } from '../../extension/core/panes/ptyHost';
import { SupervisedPane } from '../../extension/core/panes/supervisedPane';
import { prepare, stopStarted, type AgentSpec } from '../fixtures/agents-env/index.mjs';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';

// "Ask" a running agent (seed 002): the real Codex CLI TUI in a FleetAI pane (the core's SupervisedPane under a
// real pty, as the supervisor holds it, not through `fleet watch`), against the fake model server.
let server: FakeModelServer | undefined;
let spec: AgentSpec | undefined;
let sp: SupervisedPane | undefined;
let workdir: string | undefined;

afterEach(async () => {
  await sp?.dispose();
  if (spec) {
    await stopStarted(spec);
    spec.cleanup();
  }
  await server?.close();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
  sp = spec = server = workdir = undefined;
});

async function startCodex(): Promise<{ sp: SupervisedPane; chrome: RegExp[] }> {
  server = await startFakeModel();
  const root = path.resolve('test-results/agents-env');
  mkdirSync(root, { recursive: true });
  workdir = path.join(root, `codex-ask-${process.pid}-${Date.now()}`);
  spec = prepare.codex({ baseUrl: server.url, workdir, root });
  if (!existsSync(spec.command)) throw new Error(`${spec.command} is missing: run npm ci`);
  const loaded = await loadProfiles({ builtinDir: path.resolve('agents-config') });
  const agent = await resolveAgent(loaded, {
    kind: 'codex',
    command: spec.command,
    args: spec.args,
    env: spec.env,
  });
  sp = new SupervisedPane({
    id: 'codex-ask',
    command: spec.command,
    args: spec.args,
    cwd: workdir,
    env: spec.env,
    cols: 120,
    rows: 40,
    profile: agent.profile,
    ptyHost: nodePtyHost(),
    log: createMemoryLog(),
    stallTimeoutMs: 60_000,
    // Nothing else renders this pane: the headless screen answers Codex's terminal queries.
    answerQueries: true,
  });
  return { sp, chrome: chromeFromRules(agent.profile.rules) };
}

function answer(result: AskResult, pane: SupervisedPane): string {
  if (!result.ok) {
    throw new Error(`${result.error.code}: ${result.error.message}\n${pane.pane.screen.tail(40).join('\n')}`);
  }
  return result.value.answer;
}

describe('askAgent with the real Codex CLI', () => {
  it('asks a question, waits for the turn, and returns the answer without the TUI around it', async () => {
    const { sp: pane, chrome } = await startCodex();
    // Codex takes Enter only once its session has started: the prompt must hold still for 2 s first.
    const first = await askAgent(pane, 'fake:plain Say hello in one short sentence.', {
      chrome,
      settleMs: 2000,
      timeoutMs: 90_000,
    });
    expect(answer(first, pane)).toBe('Hello from the fake model. This is a short plain answer.');
    expect(pane.state.name).toBe('awaiting_input');

    // A second question gets its own answer, not the first one again.
    server!.script([{ kind: 'plain', text: 'The second answer is forty-two.' }]);
    const second = await askAgent(pane, 'What is the second answer?', {
      chrome,
      settleMs: 1000,
      timeoutMs: 90_000,
    });
    expect(answer(second, pane)).toBe('The second answer is forty-two.');
    const turns = server!.requests.filter((r) => r.api === 'openai' && !r.aux);
    expect(turns.map((r) => r.userText)).toEqual([
      'fake:plain Say hello in one short sentence.',
      'What is the second answer?',
    ]);
  }, 180_000);
});
