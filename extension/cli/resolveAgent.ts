import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { executableName, inferKind } from '../core/agents/inferKind';
import { loadProfiles } from '../core/agents/profiles';
import { probeCliVersion, toRuntimeProfile } from '../core/agents/runtimeProfile';
import { ErrorCode, FleetError } from '../core/errors';
import type { RuntimeProfile } from '../core/panes/supervisedPane';
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
}): Promise<{ profile: RuntimeProfile; kind: string; version?: string; problems: string[] }> {
  const loaded = await loadProfiles({
    builtinDir: builtinProfilesDir(),
    workspaceDir: path.join(workspacePaths(options.cwd).root, 'agents'),
  });
  const problems = loaded.problems.map((p) => p.message);
  const kind = options.kind ?? inferKind(options.command, options.args, loaded.profiles) ?? 'shell';
  const profile = loaded.profiles.get(kind);
  if (!profile) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `No agent profile "${kind}"; known: ${[...loaded.profiles.keys()].join(', ')}`,
    );
  }
  // Only the agent's own executable answers `--version` meaningfully (not `npx`, `env` or a shell wrapper).
  const direct = profile.detect.executables.includes(executableName(options.command));
  const version = direct ? await probeCliVersion(profile, options.command) : undefined;
  return { profile: toRuntimeProfile(profile, version), kind, ...(version ? { version } : {}), problems };
}
