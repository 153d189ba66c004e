import type { SupervisorSettings } from './settings';

/**
 * The editor settings that tune the supervisor (`fleetai.stallTimeoutSeconds`, ...), as set explicitly by the
 * user (user, workspace or folder settings; never the declared defaults). Values are as read from settings.json:
 * anything, since the user may have typed anything there.
 */
export interface ExplicitWindowSettings {
  stallTimeoutSeconds?: unknown;
  stallRetriesBeforeNotify?: unknown;
  failureAlertThreshold?: unknown;
  dryRun?: unknown;
}

export interface MergedWindowSettings {
  settings: SupervisorSettings;
  /** Which explicit settings won over the workspace config file, by setting name. */
  applied: string[];
  /** Explicit settings with a value that cannot be used, each `name: why`; the file's value stays. */
  ignored: string[];
}

/** The minimums package.json declares for each setting. */
const MINIMUMS = { stallTimeoutSeconds: 10, stallRetriesBeforeNotify: 0, failureAlertThreshold: 1 } as const;

/**
 * The supervisor settings of a VS Code window: the workspace config file's (`.fleetai/orchestrator.json`, or its
 * defaults), overridden by the editor settings the user set explicitly, so a default in package.json never
 * hides a value written in the file. An untrusted workspace always runs in dry run: nothing is typed into an
 * agent there, whatever the settings say.
 */
export function mergeWindowSettings(
  fromFile: SupervisorSettings,
  explicit: ExplicitWindowSettings,
  options: { trusted: boolean },
): MergedWindowSettings {
  const settings: SupervisorSettings = structuredClone(fromFile);
  const applied: string[] = [];
  const ignored: string[] = [];
  const count = (name: keyof typeof MINIMUMS, integer: boolean): number | undefined => {
    const value = explicit[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      ignored.push(`${name}: ${JSON.stringify(value)} is not ${integer ? 'a whole number' : 'a number'}`);
      return undefined;
    }
    if (value < MINIMUMS[name]) {
      ignored.push(`${name}: ${value} is below the minimum ${MINIMUMS[name]}`);
      return undefined;
    }
    applied.push(name);
    return value;
  };

  const stall = count('stallTimeoutSeconds', false);
  if (stall !== undefined) settings.stallTimeoutMs = Math.round(stall * 1000);
  const retries = count('stallRetriesBeforeNotify', true);
  if (retries !== undefined) settings.stallRetriesBeforeNotify = retries;
  const threshold = count('failureAlertThreshold', true);
  if (threshold !== undefined) settings.failureAlertThreshold = threshold;
  if (explicit.dryRun !== undefined && explicit.dryRun !== null) {
    if (typeof explicit.dryRun === 'boolean') {
      settings.dryRun = explicit.dryRun;
      applied.push('dryRun');
    } else ignored.push(`dryRun: ${JSON.stringify(explicit.dryRun)} is not true or false`);
  }
  if (!options.trusted) settings.dryRun = true;
  return { settings, applied, ignored };
}
