import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ModelSettings } from '../../decisions/modelSettings';
import { loadSdk, modelRunner } from '../../decisions/modelDecider';
import type { PlanNodeOf } from '../planSchema';
import type { AgentWorkPort, WorkContext, WorkResult } from '../executor/workPorts';
import { unmetCriteria } from './criteria';

/** The shipped registry, in a subfolder so the profile loader (every `agents-config/*.json`) never reads it. */
export const BUILTIN_REGISTRY_FILE = path.join('registry', 'agents.registry.json');
/** A workspace's own agents, added to (and overriding by name) the shipped ones. */
export const WORKSPACE_REGISTRY_FILE = path.join('.fleetai', 'agents.registry.json');

const RegistryEntry = z.strictObject({
  name: z.string().trim().min(1),
  instructions: z.string().trim().min(1),
  /** A model name for this agent; the workspace model's name when left out. */
  model: z.string().trim().min(1).optional(),
});
const RegistryFile = z.strictObject({
  $schema: z.string().optional(),
  agents: z.array(RegistryEntry),
});
export type RegistryEntry = z.output<typeof RegistryEntry>;

/** The agents of the shipped registry, then the workspace's (a later entry with the same name wins). */
export async function loadAgentRegistry(files: readonly string[]): Promise<Map<string, RegistryEntry>> {
  const agents = new Map<string, RegistryEntry>();
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const parsed = RegistryFile.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    for (const entry of parsed.data.agents) agents.set(entry.name, entry);
  }
  return agents;
}

/** Runs one agent of the registry on a prompt; the text of its final answer. */
export type RegistryRunner = (
  entry: RegistryEntry,
  prompt: string,
  options: { signal: AbortSignal },
) => Promise<string>;

export interface RegistryAgentPortOptions {
  /** Registry files in order (shipped, then the workspace's); missing files are skipped. */
  files: readonly string[];
  /** The workspace's model (orchestrator.json `model`, FLEETAI_MODEL_*); undefined: none configured. */
  settings: ModelSettings | undefined;
  /** For tests or another host; default: an @openai/agents Runner on `settings`. */
  runner?: RegistryRunner;
}

/**
 * agent_invocation nodes whose target is `registry`: an `@openai/agents` Agent with the entry's name and
 * instructions, run on the node's prompt with the workspace's model (no pane, no tools). Completion criteria are
 * checked on its answer (output_contains) and in the workspace (file_exists, command_succeeds). Safe to call
 * again for the same key: it has no side effect besides the model call.
 */
export function registryAgentPort(options: RegistryAgentPortOptions): AgentWorkPort {
  let registry: Promise<Map<string, RegistryEntry>> | undefined;
  return {
    invokeAgent: async (
      node: PlanNodeOf<'agent_invocation'>,
      _key: string,
      context: WorkContext,
    ): Promise<WorkResult> => {
      if (node.agent.type !== 'registry') return { ok: false, error: 'not a registry target' };
      const name = node.agent.name;
      let entry: RegistryEntry | undefined;
      try {
        registry ??= loadAgentRegistry(options.files);
        entry = (await registry).get(name);
      } catch (error) {
        registry = undefined;
        return {
          ok: false,
          error: `agent registry: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      if (!entry) {
        const known = [...(await registry).keys()];
        return {
          ok: false,
          error:
            `no agent "${name}" in the agent registry (known: ${known.join(', ') || 'none'}; files: ` +
            `${options.files.join(', ')}) / 代理注册表中没有 "${name}"`,
        };
      }
      const runner = options.runner ?? (options.settings ? modelRegistryRunner(options.settings) : undefined);
      if (!runner) {
        return {
          ok: false,
          error:
            `registry agent "${name}" needs a model: set model.base_url and model.model in .fleetai/orchestrator.json ` +
            '(or FLEETAI_MODEL / FLEETAI_MODEL_BASE_URL) / 注册表代理需要配置模型',
        };
      }
      let text: string;
      try {
        text = await runner(entry, node.prompt, { signal: context.signal });
      } catch (error) {
        const why = context.signal.aborted
          ? "the node's time ran out / 节点超时"
          : error instanceof Error
            ? error.message
            : String(error);
        return { ok: false, error: `registry agent "${name}": ${why}` };
      }
      const output = { text, agent: name };
      const unmet = await unmetCriteria(node.completion, {
        folders: [context.workspace],
        env: context.env,
        signal: context.signal,
        text,
        turnEnded: true,
      });
      if (unmet.length > 0) return { ok: false, error: `not complete: ${unmet.join('; ')}`, output };
      return { ok: true, output };
    },
  };
}

/** A registry agent run once on the configured endpoint, set up like every FleetAI model call (`modelRunner`). */
function modelRegistryRunner(settings: ModelSettings): RegistryRunner {
  const runner = modelRunner(settings);
  return async (entry, prompt, { signal }) => {
    const [{ agents }, run] = await Promise.all([loadSdk(), runner()]);
    const agent = new agents.Agent({
      name: entry.name,
      instructions: entry.instructions,
      ...(entry.model ? { model: entry.model } : {}),
      modelSettings: { store: false },
    });
    const result = await run.run(agent, prompt, { signal, maxTurns: 1 });
    return typeof result.finalOutput === 'string'
      ? result.finalOutput
      : JSON.stringify(result.finalOutput ?? '');
  };
}
