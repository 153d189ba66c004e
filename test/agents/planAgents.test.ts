import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../extension/core/approvals';
import { createProgram } from '../../extension/cli/program';
import { mcpWorkPort, openMcpBridge } from '../../extension/core/mcp';
import { createMemoryLog } from '../../extension/core/observability/appLog';
import { openWorkspaceAgents, type ClosableAgentPort } from '../../extension/core/plans/agents';
import { runPlan } from '../../extension/core/plans/executor';
import type { PlanInput, PlanNodeInput } from '../../extension/core/plans/planSchema';
import { validatePlan } from '../../extension/core/plans/validatePlan';
import { workspacePaths } from '../../extension/core/workspacePaths';
import { prepare, stopStarted, type AgentSpec } from '../fixtures/agents-env/index.mjs';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';
import { repoRoot } from '../unit/helpers';

// Plans whose agent_invocation nodes prompt the real Codex CLI 0.169.0 (against the fake model server) in panes
// the plan run starts, with local tasks around them (seed 004's acceptance scenarios, MCP nodes not yet).
// The person who approves is played by this test writing the decision to the real ApprovalStore, as
// `fleet approvals:approve` does from another terminal.

interface Workspace {
  server: FakeModelServer;
  spec: AgentSpec;
  dir: string;
}
let ws: Workspace | undefined;
let agents: ClosableAgentPort | undefined;
afterEach(async () => {
  await agents?.close();
  agents = undefined;
  if (ws) {
    await stopStarted(ws.spec);
    ws.spec.cleanup();
    await ws.server.close();
  }
  ws = undefined;
});

async function workspace(): Promise<Workspace> {
  const server = await startFakeModel();
  const root = path.join(repoRoot, 'test-results/agents-env');
  mkdirSync(root, { recursive: true });
  const dir = path.join(root, `plan-ws-${process.pid}-${Date.now()}`);
  const spec = prepare.codex({ baseUrl: server.url, workdir: dir, root });
  mkdirSync(path.join(dir, '.fleetai'), { recursive: true });
  // The plan's codex panes start the Codex of node_modules, as orchestrator.json's agents.codex.bin says.
  writeFileSync(
    path.join(dir, '.fleetai/orchestrator.json'),
    JSON.stringify({ agents: { codex: { bin: spec.command } } }),
  );
  ws = { server, spec, dir };
  return ws;
}

/** The real MCP server-everything over stdio, as a workspace's MCP servers file names it. */
const everythingServers = JSON.stringify({
  servers: {
    everything: {
      command: process.execPath,
      args: [
        path.join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'),
        'stdio',
      ],
    },
  },
});

function plan(nodes: PlanNodeInput[], root: string, extra: Partial<PlanInput> = {}) {
  const validation = validatePlan({ schemaVersion: 1, id: 'agents', title: 'Agents', root, nodes, ...extra });
  if (!validation.ok || !validation.plan) {
    throw new Error(validation.problems.map((p) => p.message).join('; '));
  }
  return validation.plan;
}

const effect = (id: string): PlanNodeInput => ({
  type: 'local_task',
  id,
  title: id,
  action: { kind: 'script', script: `echo ${id} >> effects.txt` },
});

const effects = (dir: string): string[] => {
  const file = path.join(dir, 'effects.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
};

/** Approves every request the plan's panes file, like a person at `fleet approvals:approve`; returns a stop. */
function approveAll(store: ApprovalStore, seen: string[]): () => void {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      for (const request of await store.pending()) {
        if (!request.pane.startsWith('plan-')) continue;
        seen.push(`${request.pane}: ${request.command ?? request.reason ?? ''}`);
        await store.decide(request.id, 'approve', { by: 'cli' });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return () => (stopped = true);
}

/** The model turns Codex asked for with this text in the user's prompt (aux requests left out). */
const promptsSeen = (server: FakeModelServer, text: string): number =>
  server.requests.filter((r) => !r.aux && !r.toolResult && r.userText?.includes(text)).length;

describe('plans with agent_invocation nodes and a real Codex', () => {
  it('fleet run:auto: a local task, Codex asked to make a file (approval filed, approved), a conditional on its answer, an MCP tool', async () => {
    const { dir, spec, server } = await workspace();
    const file = path.join(dir, 'codex.plan.json');
    writeFileSync(
      file,
      JSON.stringify(
        plan(
          [
            {
              type: 'sequence',
              id: 'main',
              title: 'Main',
              children: ['prepare', 'agent', 'check', 'echo', 'echoed'],
            },
            effect('prepare'),
            {
              type: 'agent_invocation',
              id: 'agent',
              title: 'Codex makes a file',
              agent: { type: 'kind', agentKind: 'codex' },
              prompt: 'fake:approval Create the file approved.txt.',
              completion: [
                { kind: 'turn_end' },
                { kind: 'output_contains', text: 'Done' },
                { kind: 'file_exists', path: 'approved.txt' },
              ],
              retries: 0,
              timeoutSeconds: 150,
            },
            {
              type: 'conditional',
              id: 'check',
              title: 'Did Codex say done?',
              condition: { contains: ['$.nodes.agent.output.text', 'Done'] },
              then: 'said-done',
              else: 'said-other',
            },
            effect('said-done'),
            effect('said-other'),
            {
              type: 'mcp_tool',
              id: 'echo',
              title: 'Echo through MCP',
              server: 'everything',
              tool: 'echo',
              arguments: { message: 'from the plan' },
            },
            {
              type: 'conditional',
              id: 'echoed',
              title: 'Did the tool answer?',
              condition: { equals: ['$.nodes.echo.output.isError', false] },
              then: 'tool-ok',
            },
            effect('tool-ok'),
          ],
          'main',
        ),
      ),
    );
    writeFileSync(path.join(dir, '.fleetai/mcp.servers.json'), everythingServers);
    // run:auto starts its panes with this process's environment: Codex's isolated one.
    const saved = { ...process.env };
    Object.assign(process.env, spec.env);
    const store = ApprovalStore.forWorkspace(workspacePaths(dir));
    const approved: string[] = [];
    const stop = approveAll(store, approved);
    let out = '';
    try {
      const program = createProgram({ out: (t) => (out += t), err: (t) => (out += t) });
      await program.parseAsync(['run:auto', file, '-w', dir], { from: 'user' });
    } finally {
      stop();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    const exitCode = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    expect(out).toMatch(/agent\s+done/);
    expect(exitCode, out).toBe(0);
    expect(approved).toEqual(['plan-codex: touch approved.txt']);
    expect(existsSync(path.join(dir, 'approved.txt'))).toBe(true);
    expect(effects(dir)).toEqual(['prepare', 'said-done', 'tool-ok']);
    expect(promptsSeen(server, 'Create the file approved.txt')).toBe(1);
    const runs = path.join(dir, '.fleetai/state/plans/agents/runs');
    const record = JSON.parse(
      readFileSync(
        path.join(
          runs,
          readdirSync(runs).find((name) => name.endsWith('.json'))!,
        ),
        'utf8',
      ),
    ) as {
      status: string;
    };
    expect(record.status).toBe('done');
  }, 240_000);

  it('seed 004: serial, parallel, conditional and loop mixing local tasks, Codex turns and an MCP tool; one pane reused', async () => {
    const { dir, spec, server } = await workspace();
    const paths = workspacePaths(dir);
    const approvals = ApprovalStore.forWorkspace(paths);
    const log = createMemoryLog();
    agents = await openWorkspaceAgents({
      workspace: dir,
      paths,
      builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      log,
      approvals,
      env: () => spec.env,
    });
    const ask = (id: string, prompt: string, text: string): PlanNodeInput => ({
      type: 'agent_invocation',
      id,
      title: id,
      agent: { type: 'kind', agentKind: 'codex' },
      prompt,
      completion: [{ kind: 'output_contains', text }],
      retries: 0,
      timeoutSeconds: 120,
    });
    const p = plan(
      [
        { type: 'sequence', id: 'main', title: 'Main', children: ['fan', 'check', 'again'] },
        { type: 'parallel', id: 'fan', title: 'Fan out', children: ['a', 'hello', 'echo'] },
        effect('a'),
        {
          type: 'mcp_tool',
          id: 'echo',
          title: 'Echo',
          server: 'everything',
          tool: 'echo',
          arguments: { message: 'seed 004' },
        },
        ask('hello', 'fake:plain Say hello.', 'Hello from the fake model'),
        {
          type: 'conditional',
          id: 'check',
          title: 'Check',
          condition: {
            all: [
              { contains: ['$.nodes.hello.output.text', 'Hello'] },
              { equals: ['$.nodes.echo.output.isError', false] },
            ],
          },
          then: 'yes',
          else: 'no',
        },
        effect('yes'),
        effect('no'),
        { type: 'loop', id: 'again', title: 'Again', body: 'pass', maxIterations: 2 },
        { type: 'sequence', id: 'pass', title: 'Pass', children: ['b', 'more'] },
        effect('b'),
        ask('more', 'fake:plain Once more.', 'Hello from the fake model'),
      ],
      'main',
    );
    writeFileSync(path.join(dir, '.fleetai/mcp.servers.json'), everythingServers);
    const bridge = await openMcpBridge({ workspace: dir });
    let result;
    try {
      result = await runPlan({
        plan: p,
        workspace: dir,
        stateDir: paths.stateDir,
        approvals,
        agents,
        mcp: mcpWorkPort(bridge, { journalDir: path.join(dir, 'mcp-journal') }),
        checkpointer: 'memory',
      });
    } finally {
      await bridge.close();
    }
    if (process.env.DEBUG_PLAN_AGENTS)
      console.log(log.lines.map((l) => JSON.stringify(l).slice(0, 300)).join('\n'));
    expect(result.status, JSON.stringify(result.record.nodes)).toBe('done');
    expect(effects(dir)).toEqual(expect.arrayContaining(['a', 'yes', 'b']));
    expect(effects(dir).filter((e) => e === 'b')).toHaveLength(2);
    expect(effects(dir)).not.toContain('no');
    const hello = result.nodes.hello?.output as { text: string; pane: string };
    const more = result.nodes.more?.output as { text: string; pane: string };
    expect(hello.text).toContain('Hello from the fake model');
    expect(more.pane).toBe(hello.pane);
    expect(promptsSeen(server, 'Say hello.')).toBe(1);
    expect(promptsSeen(server, 'Once more.')).toBe(2);
    expect(result.nodes.echo?.output).toEqual({
      content: [{ type: 'text', text: 'Echo: seed 004' }],
      isError: false,
    });
  }, 300_000);

  it('SIGKILL in the middle of an agent node: the resumed run does not prompt Codex again for work it did', async () => {
    const { dir, spec, server } = await workspace();
    // Bundled like test/unit/helpers bundleScript, but beside node_modules with node-pty external (native).
    const bundle = path.join(repoRoot, 'test-results/agents-env', `plan-crash-${process.pid}.mjs`);
    await build({
      entryPoints: [path.join(repoRoot, 'test/agents/planCrashChild.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      mainFields: ['module', 'main'],
      outfile: bundle,
      external: ['node-pty'],
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    const env = { ...spec.env, WORKSPACE: dir, PROFILES: path.join(repoRoot, 'agents-config') };
    const runChild = () => {
      const child = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const io = { out: '', err: '' };
      child.stdout.setEncoding('utf8').on('data', (d: string) => (io.out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (io.err += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      return { child, io, exited };
    };
    const store = ApprovalStore.forWorkspace(workspacePaths(dir));
    const approved: string[] = [];
    const stop = approveAll(store, approved);
    try {
      const first = runChild();
      const deadline = Date.now() + 120_000;
      // Killed once Codex has done the work (the approved command made the file), before the node is done.
      while (!existsSync(path.join(dir, 'approved.txt'))) {
        if (Date.now() > deadline)
          throw new Error(`Codex never made the file: ${first.io.out}${first.io.err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      expect(first.io.out).toMatch(/^agent running$/m);
      expect(first.io.out).not.toMatch(/^agent done$/m);

      const second = runChild();
      const ended = await second.exited;
      expect(ended.code, second.io.out + second.io.err).toBe(0);
      expect(second.io.out).toContain('result done');
      expect(second.io.out).not.toMatch(/^s0 running$/m);
      expect(second.io.out).toMatch(/^agent done$/m);
      expect(effects(dir)).toEqual(['s0', 's3']);
      expect(approved).toEqual(['plan-codex: touch approved.txt']);
      expect(promptsSeen(server, 'Create the file approved.txt')).toBe(1);
    } finally {
      stop();
    }
  }, 240_000);
});
