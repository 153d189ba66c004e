import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../errors';
import { findOnPath } from '../executables';
import type { WorkspacePaths } from '../workspacePaths';
import type { DoctorCheck } from './checks';
import { probePty } from './nativePty';

export { findOnPath } from '../executables';
export type { CheckStatus, DoctorCheck } from './checks';

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** The folder whose `.fleetai/` must be writable. */
  stateRoot?: string;
  /** PATH to search for agent CLIs (defaults to the process's). */
  pathEnv?: string;
  /**
   * A workspace to check for the supervisor: its `.fleetai/orchestrator.json`, the programs its panes start, the
   * environment variables it names, the model endpoint and webhook hosts, the control socket.
   */
  workspace?: WorkspacePaths;
  /** The shipped agent profiles (`agents-config/`), for the commands of configured panes. */
  builtinProfilesDir?: string;
  /** Environment whose variables are checked (defaults to the process's); values are never reported. */
  env?: NodeJS.ProcessEnv;
  /** Deadline of each network probe. Default 3000 ms. */
  networkTimeoutMs?: number;
}

/** Agent CLIs FleetAI knows; missing ones are a warning, since a user may run only one of them. */
export const KNOWN_AGENT_CLIS = ['codex', 'claude', 'gemini', 'aider'] as const;

/** Checks what FleetAI needs from the machine it runs on, the same way in VS Code and in `fleet doctor`. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const [major] = process.versions.node.split('.').map(Number);
  checks.push({
    id: 'node',
    status: (major ?? 0) >= 20 ? 'ok' : 'fail',
    summary: `Node ${process.versions.node} (${process.platform}-${process.arch})`,
  });

  try {
    const probe = await probePty();
    checks.push({ id: 'pty', status: 'ok', summary: `node-pty works (${probe.output})` });
  } catch (error) {
    checks.push({
      id: 'pty',
      status: 'fail',
      summary: 'node-pty cannot start a terminal',
      detail: describeError(error),
    });
  }

  if (options.stateRoot) checks.push(await checkWritable(options.stateRoot));

  for (const cli of KNOWN_AGENT_CLIS) {
    const found = await findOnPath(cli, options.pathEnv ?? process.env.PATH ?? '');
    checks.push(
      found
        ? { id: `agent:${cli}`, status: 'ok', summary: `${cli} found at ${found}` }
        : { id: `agent:${cli}`, status: 'warn', summary: `${cli} is not on PATH` },
    );
  }

  if (options.workspace) {
    // Loaded on use: the config schema and the profiles are not needed for the machine checks.
    const { orchestratorChecks } = await import('./orchestratorChecks');
    checks.push(
      ...(await orchestratorChecks({
        paths: options.workspace,
        env: options.env ?? process.env,
        pathEnv: options.pathEnv ?? process.env.PATH ?? '',
        networkTimeoutMs: options.networkTimeoutMs ?? 3000,
        ...(options.builtinProfilesDir ? { builtinProfilesDir: options.builtinProfilesDir } : {}),
      })),
    );
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

async function checkWritable(dir: string): Promise<DoctorCheck> {
  // A check must not change the machine: when the folder does not exist yet, the nearest existing parent
  // must be writable, so FleetAI can create it on first use.
  let probe = dir;
  for (;;) {
    try {
      await fs.access(probe, constants.F_OK);
      break;
    } catch {
      const parent = path.dirname(probe);
      if (parent === probe) break;
      probe = parent;
    }
  }
  try {
    if (!(await fs.stat(probe)).isDirectory()) throw new Error(`${probe} is not a folder`);
    await fs.access(probe, constants.W_OK);
    const how = probe === dir ? 'is writable' : `can be created (in ${probe})`;
    return { id: 'state', status: 'ok', summary: `${dir} ${how}` };
  } catch (error) {
    return { id: 'state', status: 'fail', summary: `${dir} is not writable`, detail: describeError(error) };
  }
}
