import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { KNOWN_AGENT_CLIS } from '../doctor/doctor';
import { loadProfiles, parseCliVersion } from '../agents/profiles';
import { findOnPath } from '../executables';
import type { AgentProfile } from '../schemas/agentProfile';

/** One agent CLI as `fleet init` found it on this machine. */
export interface DetectedCli {
  /** The agent kind and program name: codex, claude, gemini, aider. */
  name: string;
  found: boolean;
  /** Where it was found on PATH. */
  path?: string;
  /** The version it printed (semver when the profile's pattern matched, else its first line). */
  version?: string;
  /** Why there is no version although the program was found (no answer in time, a crash). */
  problem?: string;
}

export interface DetectOptions {
  /** The shipped profiles (`agents-config/`): their `version` probe (args, pattern) is used. */
  builtinProfilesDir: string;
  /** The workspace's own profiles (`.fleetai/agents`), which may change a probe. */
  workspaceProfilesDir?: string;
  /** PATH searched, and given to the probes. Default: the process's. */
  pathEnv?: string;
  env?: NodeJS.ProcessEnv;
  /** Deadline of each `--version` probe. Default 8000 ms: a Node CLI takes a second or two, far more on a busy machine. */
  timeoutMs?: number;
  names?: readonly string[];
}

/**
 * Finds the agent CLIs on PATH and asks each for its version, all in parallel. A missing program is a normal
 * answer (found: false), never an error: most people have one or two of them.
 */
export async function detectAgentClis(options: DetectOptions): Promise<DetectedCli[]> {
  const pathEnv = options.pathEnv ?? process.env.PATH ?? '';
  const env = { ...(options.env ?? process.env), PATH: pathEnv };
  const timeoutMs = options.timeoutMs ?? 8000;
  const { profiles } = await loadProfiles({
    builtinDir: options.builtinProfilesDir,
    ...(options.workspaceProfilesDir ? { workspaceDir: options.workspaceProfilesDir } : {}),
  });
  const names = options.names ?? KNOWN_AGENT_CLIS;
  return Promise.all(
    names.map(async (name): Promise<DetectedCli> => {
      const profile = profiles.get(name);
      // The profile says which programs stand for this agent (`detect.executables`); the kind's name otherwise.
      const candidates = profile?.detect.executables ?? [name];
      let found: string | undefined;
      for (const candidate of candidates) {
        found = await findOnPath(candidate, pathEnv);
        if (found) break;
      }
      if (!found) return { name, found: false };
      const probe = await probeVersion(profile, found, env, timeoutMs);
      return { name, found: true, path: found, ...probe };
    }),
  );
}

/**
 * Runs `<cli> --version` (the profile's probe) and reads its version. The deadline is ours: some CLIs start a
 * second process of themselves (Gemini CLI relaunches Node with more memory) that keeps the output open after
 * the first is killed, so the answer is settled at the deadline and the whole process group is killed.
 */
async function probeVersion(
  profile: AgentProfile | undefined,
  file: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ version?: string; problem?: string }> {
  const args = profile?.version?.args ?? ['--version'];
  const what = `${path.basename(file)} ${args.join(' ')}`;
  return new Promise((resolve) => {
    let output = '';
    let settled = false;
    const settle = (answer: { version?: string; problem?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const child = spawn(file, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group (not on Windows, where that means a new console): killed as a whole at the deadline.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      killTree(child);
      settle({ problem: `no answer to \`${what}\` within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (error) => settle({ problem: `\`${what}\` failed: ${error.message}` }));
    child.on('close', () => {
      const parsed = profile ? parseCliVersion(profile, output) : undefined;
      if (parsed) return settle({ version: parsed });
      const firstLine = output
        .split('\n')
        .map((line) => line.trim())
        .find(Boolean);
      // A version the profile's pattern does not know is still worth showing as printed.
      settle(firstLine ? { version: firstLine.slice(0, 80) } : { problem: `\`${what}\` printed nothing` });
    });
  });
}

function killTree(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}
