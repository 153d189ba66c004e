import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadProfiles, WORKSPACE_PROFILES_DIR } from '../../agents/profiles';
import { workspacePaths } from '../../workspacePaths';

/** What a model needs to know of the workspace to design a plan that can run there (names only, no secrets). */
export interface WorkspaceFacts {
  /** Agent kinds with a profile (shipped and the workspace's): what `agent_invocation` may name. */
  agent_kinds: string[];
  /** Aliases of `.fleetai/mcp.servers.json`; empty when there is no such file. */
  mcp_servers: string[];
  /** `npm test` when package.json has a test script; null otherwise. */
  test_command: string[] | null;
}

/**
 * Reads the facts; a part that cannot be read is left empty (the design is still possible, the dry run
 * will name what is missing).
 */
export async function readWorkspaceFacts(
  workspace: string,
  builtinProfilesDir: string,
): Promise<WorkspaceFacts> {
  const fleetDir = workspacePaths(workspace).root;
  const [profiles, mcp, pkg] = await Promise.all([
    loadProfiles({
      builtinDir: builtinProfilesDir,
      workspaceDir: path.join(fleetDir, WORKSPACE_PROFILES_DIR),
    })
      .then((loaded) => [...loaded.profiles.keys()])
      .catch(() => [] as string[]),
    mcpAliases(path.join(fleetDir, 'mcp.servers.json')),
    readJson(path.join(workspace, 'package.json')),
  ]);
  const scripts = (pkg as { scripts?: Record<string, unknown> } | undefined)?.scripts;
  return {
    agent_kinds: profiles,
    mcp_servers: mcp,
    test_command: typeof scripts?.test === 'string' ? ['npm', 'test'] : null,
  };
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The shapes the dry run reads too: `{"mcpServers": {...}}`, `{"servers": {...}}`, or aliases at the top. */
async function mcpAliases(file: string): Promise<string[]> {
  const data = await readJson(file);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const record = data as Record<string, unknown>;
  const servers = record.mcpServers ?? record.servers ?? record;
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return [];
  return Object.keys(servers).filter((key) => key !== '$schema');
}
