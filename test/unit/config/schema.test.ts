import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ORCHESTRATOR_CONFIG_SCHEMA_FILE,
  defaultOrchestratorConfig,
  orchestratorConfigJsonSchema,
} from '../../../extension/core/config/orchestratorConfig';
import { repoRoot } from '../helpers';

const committedFile = path.join(repoRoot, 'config', ORCHESTRATOR_CONFIG_SCHEMA_FILE);

interface JsonSchema {
  properties: Record<string, JsonSchema & { default?: unknown }>;
  additionalProperties?: unknown;
  required?: string[];
}

describe('config/orchestrator.schema.json', () => {
  const generated = orchestratorConfigJsonSchema() as unknown as JsonSchema;

  it('equals the one generated from the zod schema (regenerate: node extension/build/gen-schemas.mjs)', () => {
    expect(JSON.parse(readFileSync(committedFile, 'utf8'))).toEqual(generated);
  });

  it('declares every top-level key with its default, requires none, and refuses unknown keys', () => {
    const defaults = defaultOrchestratorConfig() as Record<string, unknown>;
    expect(Object.keys(generated.properties).sort()).toEqual(['$schema', ...Object.keys(defaults)].sort());
    expect(generated.required ?? []).toEqual([]);
    expect(generated.additionalProperties).toBe(false);
    for (const key of ['stall_timeout_seconds', 'stall_retries_before_notify', 'failure_alert_threshold']) {
      expect(generated.properties[key]?.default, key).toBe(defaults[key]);
    }
    expect(generated.properties.metrics_port?.default).toBe(9108);
  });

  it('gives editors the nested defaults too (recovery.rate_limit.base_seconds)', () => {
    const recovery = generated.properties.recovery as JsonSchema;
    const rateLimit = recovery.properties.rate_limit as JsonSchema;
    expect(rateLimit.properties.base_seconds?.default).toBe(30);
  });
});
