import { execFile } from 'node:child_process';
import type { RuntimeProfile } from '../panes/supervisedPane';
import type { AgentProfile } from '../schemas/agentProfile';
import { compileRules, parseCliVersion, selectPatternSet } from './profiles';

/** What a pane needs from a profile, for the CLI version found on this machine. */
export function toRuntimeProfile(profile: AgentProfile, cliVersion?: string): RuntimeProfile {
  return {
    kind: profile.kind,
    pacing: {
      submitDelayMs: profile.input.submitDelayMs,
      submitKeys: profile.input.submitKeys,
      ...(profile.input.charDelayMs !== undefined ? { charDelayMs: profile.input.charDelayMs } : {}),
    },
    rules: compileRules(selectPatternSet(profile, cliVersion)),
    ...(profile.approval
      ? {
          approval: {
            approve: profile.approval.approve,
            deny: profile.approval.deny,
            ...(profile.approval.approveForSession
              ? { approveForSession: profile.approval.approveForSession }
              : {}),
          },
        }
      : {}),
    timing: {
      idleDebounceMs: profile.timing.idleDebounceMs,
      ...(profile.timing.liveRows !== undefined ? { liveRows: profile.timing.liveRows } : {}),
    },
  };
}

/**
 * Asks the CLI for its version (`codex --version`), so that the pattern set measured on that version is used.
 * Undefined when the profile has no probe, the program is missing, or it does not answer within the timeout.
 */
export function probeCliVersion(
  profile: AgentProfile,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 5000,
): Promise<string | undefined> {
  const probe = profile.version;
  if (!probe) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(command, probe.args, { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && !stdout) return resolve(undefined);
      resolve(parseCliVersion(profile, `${stdout}\n${stderr}`));
    });
  });
}
