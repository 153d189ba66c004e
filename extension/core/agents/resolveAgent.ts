import { ErrorCode, FleetError } from '../errors';
import type { RuntimeProfile } from '../panes/supervisedPane';
import type { AgentProfile } from '../schemas/agentProfile';
import { executableName, inferKind } from './inferKind';
import type { LoadedProfiles } from './profiles';
import { probeCliVersion, toRuntimeProfile } from './runtimeProfile';

export interface ResolveAgentOptions {
  /** The agent kind ("codex", "shell"...); inferred from `command` when left out. */
  kind?: string;
  /** The program to start; the profile's `command` when left out (then `kind` picks the profile). */
  command?: string;
  /** Its arguments; with no `command`, the profile's `args` when left out. */
  args?: readonly string[];
  /** Environment for the version probe. Default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedAgent {
  kind: string;
  /** The profile as loaded (built-in merged with the workspace's overrides). */
  definition: AgentProfile;
  /** What the pane needs, with the pattern set chosen for `version`. */
  profile: RuntimeProfile;
  command: string;
  args: string[];
  /** The CLI's version, when it could be asked (only the agent's own executable is). */
  version?: string;
  /** Profile files that were skipped, one message each. */
  problems: string[];
}

/**
 * Picks the profile for a command line (explicit kind, else inferred from the command, else "shell") and the
 * pattern set for the CLI version installed. Throws E_AGENT_UNKNOWN when no profile has the kind.
 */
export async function resolveAgent(
  loaded: LoadedProfiles,
  options: ResolveAgentOptions,
): Promise<ResolvedAgent> {
  const problems = loaded.problems.map((p) => p.message);
  const given = options.command;
  const kind =
    options.kind ??
    (given === undefined ? undefined : inferKind(given, options.args ?? [], loaded.profiles)) ??
    'shell';
  const definition = loaded.profiles.get(kind);
  if (!definition) {
    const known = [...loaded.profiles.keys()];
    throw new FleetError(ErrorCode.AgentUnknown, `No agent profile "${kind}"; known: ${known.join(', ')}`, {
      kind,
      known,
    });
  }
  const command = given ?? definition.command;
  const args = [...(options.args ?? (given === undefined ? definition.args : []))];
  // Only the agent's own executable answers `--version` meaningfully (not `npx`, `env` or a shell wrapper).
  const direct = definition.detect.executables.includes(executableName(command));
  const version = direct ? await probeCliVersion(definition, command, options.env) : undefined;
  return {
    kind,
    definition,
    profile: toRuntimeProfile(definition, version),
    command,
    args,
    ...(version ? { version } : {}),
    problems,
  };
}
