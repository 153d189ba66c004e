import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadProfiles } from '../core/agents/profiles';
import { resolveAgent as resolveAgentProfile } from '../core/agents/resolveAgent';
import type { RuntimeProfile } from '../core/panes/supervisedPane';
import type { AgentHooks, AgentProfileApproval } from '../core/schemas/agentProfile';
import { workspacePaths } from '../core/workspacePaths';

/**
 * The shipped profiles sit next to the bundle in a package (`dist/cli.js` -> `agents-config/`) and at the
 * repository root when running from source.
 */
export function builtinProfilesDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.resolve(here, '../agents-config'), path.resolve(here, '../../agents-config')];
  return candidates.find((dir) => existsSync(path.join(dir, 'shell.json'))) ?? candidates[0]!;
}

/** Picks the profile for a command line (explicit kind, else inferred), for the CLI version installed. */
export async function resolveAgent(options: {
  command: string;
  args: string[];
  cwd: string;
  kind?: string;
}): Promise<{
  profile: RuntimeProfile;
  kind: string;
  version?: string;
  problems: string[];
  hooks: AgentHooks | null | undefined;
  approval: AgentProfileApproval | null;
}> {
  const loaded = await loadProfiles({
    builtinDir: builtinProfilesDir(),
    workspaceDir: path.join(workspacePaths(options.cwd).root, 'agents'),
  });
  const { profile, kind, version, problems, definition } = await resolveAgentProfile(loaded, options);
  return {
    profile,
    kind,
    ...(version ? { version } : {}),
    problems,
    hooks: definition.hooks,
    approval: definition.approval,
  };
}
