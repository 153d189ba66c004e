import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveModelSettings } from '../../../../extension/core/decisions/modelSettings';
import {
  BUILTIN_REGISTRY_FILE,
  loadAgentRegistry,
  registryAgentPort,
} from '../../../../extension/core/plans/agents';
import type { WorkContext } from '../../../../extension/core/plans/executor/workPorts';
import type { PlanNodeOf } from '../../../../extension/core/plans/planSchema';
import { startFakeModel, type FakeModelServer } from '../../../fixtures/fake-model/server.mjs';
import { repoRoot, useTempDirs } from '../../helpers';
import { timeoutSignal } from '../../../../extension/core/timeoutSignal';

// Registry agents run through @openai/agents against the real fake model server (Responses API, plain text). The
// fake server takes a request without tools for a CLI's side request and answers it "Fake session": that is the
// answer checked here.

const tempDir = useTempDirs();
let server: FakeModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const node = (
  name: string,
  completion: PlanNodeOf<'agent_invocation'>['completion'] = [{ kind: 'turn_end' }],
): PlanNodeOf<'agent_invocation'> =>
  ({
    type: 'agent_invocation',
    id: 'review',
    title: 'Review',
    requiresApproval: false,
    riskLevel: 'low',
    retries: 0,
    agent: { type: 'registry', name },
    prompt: 'Review the change that renames foo to bar.',
    completion,
  }) as PlanNodeOf<'agent_invocation'>;

const context = (workspace: string): WorkContext => ({
  workspace,
  signal: timeoutSignal(30_000),
  env: process.env,
});

function workspaceRegistry(dir: string): string {
  const file = path.join(dir, '.fleetai/agents.registry.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ agents: [{ name: 'summarizer', instructions: 'Summarise in one line.' }] }),
  );
  return file;
}

describe('registryAgentPort', () => {
  it('the shipped registry loads, and a workspace file adds its agents', async () => {
    const dir = tempDir();
    const agents = await loadAgentRegistry([
      path.join(repoRoot, 'agents-config', BUILTIN_REGISTRY_FILE),
      workspaceRegistry(dir),
    ]);
    expect([...agents.keys()]).toEqual(['reviewer', 'summarizer']);
  });

  it('runs a registry agent on the fake model and checks output_contains on its answer', async () => {
    server = await startFakeModel({ keepBodies: true });
    const dir = tempDir();
    const settings = await resolveModelSettings({
      settings: { baseUrl: `${server.url}/v1`, model: 'fake-model', apiKey: 'k' },
      env: {},
    });
    const port = registryAgentPort({ files: [workspaceRegistry(dir)], settings });
    const result = await port.invokeAgent(
      node('summarizer', [{ kind: 'output_contains', text: 'Fake session' }]),
      'r/review/1',
      context(dir),
    );
    expect(result).toEqual({
      ok: true,
      output: { text: 'Fake session', agent: 'summarizer' },
    });
    const turns = server.requests.filter((r) => r.path === '/v1/responses');
    expect(turns).toHaveLength(1);
    expect(JSON.stringify(turns[0]!.body)).toContain('Summarise in one line.');
    const unmet = await port.invokeAgent(
      node('summarizer', [{ kind: 'output_contains', text: 'LGTM' }]),
      'r/review/2',
      context(dir),
    );
    expect(unmet.ok).toBe(false);
    expect(!unmet.ok && unmet.error).toContain('does not contain "LGTM"');
  });

  it('no model configured, or an unknown name: ok false with a clear reason', async () => {
    const dir = tempDir();
    const port = registryAgentPort({ files: [workspaceRegistry(dir)], settings: undefined });
    const none = await port.invokeAgent(node('summarizer'), 'k', context(dir));
    expect(!none.ok && none.error).toContain('needs a model');
    const unknown = await port.invokeAgent(node('nobody'), 'k', context(dir));
    expect(!unknown.ok && unknown.error).toContain(
      'no agent "nobody" in the agent registry (known: summarizer',
    );
  });
});
