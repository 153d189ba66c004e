import { describe, expect, it } from 'vitest';
import {
  defaultOrchestratorConfig,
  parseOrchestratorConfig,
} from '../../../extension/core/config/orchestratorConfig';
import { settingsFromConfig } from '../../../extension/core/supervisor/settingsFromConfig';
import { mergeWindowSettings } from '../../../extension/core/supervisor/windowSettings';

const fromFile = settingsFromConfig(
  parseOrchestratorConfig(
    '/ws/.fleetai/orchestrator.json',
    '{ "stall_timeout_seconds": 300, "stall_retries_before_notify": 5, "failure_alert_threshold": 7, "dry_run": true }',
  ),
);

describe('mergeWindowSettings', () => {
  it('keeps the config file values when no setting is set explicitly', () => {
    const merged = mergeWindowSettings(fromFile, {}, { trusted: true });
    expect(merged.settings).toEqual(fromFile);
    expect(merged.applied).toEqual([]);
    expect(merged.settings).not.toBe(fromFile);
  });

  it('lets settings the user set win over the file', () => {
    const merged = mergeWindowSettings(
      fromFile,
      { stallTimeoutSeconds: 45, stallRetriesBeforeNotify: 0, failureAlertThreshold: 2, dryRun: false },
      { trusted: true },
    );
    expect(merged.settings).toMatchObject({
      stallTimeoutMs: 45_000,
      stallRetriesBeforeNotify: 0,
      failureAlertThreshold: 2,
      dryRun: false,
    });
    expect(merged.applied).toEqual([
      'stallTimeoutSeconds',
      'stallRetriesBeforeNotify',
      'failureAlertThreshold',
      'dryRun',
    ]);
    // The file's other keys stay.
    expect(merged.settings.sessionCooldownMs).toBe(fromFile.sessionCooldownMs);
  });

  it('ignores values that cannot be used and says why, keeping the file value', () => {
    const merged = mergeWindowSettings(
      fromFile,
      { stallTimeoutSeconds: 'soon', stallRetriesBeforeNotify: 1.5, failureAlertThreshold: 0, dryRun: 'yes' },
      { trusted: true },
    );
    expect(merged.settings).toEqual(fromFile);
    expect(merged.ignored).toEqual([
      'stallTimeoutSeconds: "soon" is not a number',
      'stallRetriesBeforeNotify: 1.5 is not a whole number',
      'failureAlertThreshold: 0 is below the minimum 1',
      'dryRun: "yes" is not true or false',
    ]);
  });

  it('runs an untrusted workspace in dry run, whatever the settings and the file say', () => {
    const defaults = settingsFromConfig(defaultOrchestratorConfig());
    expect(defaults.dryRun).toBe(false);
    expect(mergeWindowSettings(defaults, { dryRun: false }, { trusted: false }).settings.dryRun).toBe(true);
    expect(mergeWindowSettings(defaults, {}, { trusted: true }).settings.dryRun).toBe(false);
  });
});
