import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AGENT_PROFILE_OVERRIDE_SCHEMA_FILE,
  AGENT_PROFILE_SCHEMA_FILE,
  AgentProfile,
  AgentProfileOverride,
  Rule,
  agentProfileJsonSchemas,
} from '../../../extension/core/schemas/agentProfile';
import { formatIssues } from '../../../extension/core/schemas/issues';
import { repoRoot } from '../helpers';

const configDir = path.join(repoRoot, 'agents-config');
const profileFiles = readdirSync(configDir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
const readConfig = (name: string): unknown => JSON.parse(readFileSync(path.join(configDir, name), 'utf8'));

/** The problems zod reports for `value`, as the loader prints them; [] when it is valid. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : formatIssues(result.error.issues);
}

const rule = { id: 'r', state: 'working', source: 'live', regex: 'x' };

describe('shipped agent profiles (agents-config/)', () => {
  it('are exactly codex, claude, gemini, aider and shell, one per file named after its kind', () => {
    expect(profileFiles.sort()).toEqual([
      'aider.json',
      'claude.json',
      'codex.json',
      'gemini.json',
      'shell.json',
    ]);
  });

  for (const file of profileFiles) {
    it(`${file} validates and points editors at the schema`, () => {
      const data = readConfig(file);
      expect(problems(AgentProfile, data)).toEqual([]);
      const profile = AgentProfile.parse(data);
      expect(profile.kind).toBe(path.basename(file, '.json'));
      expect(profile.$schema).toBe(`./${AGENT_PROFILE_SCHEMA_FILE}`);
      expect(profile.detect.executables).toContain(profile.kind === 'shell' ? 'bash' : profile.kind);
    });
  }

  it('every top-level key of every shipped file is declared in the JSON Schema editors use', () => {
    const schema = readConfig(AGENT_PROFILE_SCHEMA_FILE) as { properties: Record<string, unknown> };
    for (const file of profileFiles) {
      for (const key of Object.keys(readConfig(file) as object))
        expect(schema.properties, `${file}: ${key}`).toHaveProperty([key]);
    }
  });
});

describe('generated JSON Schemas', () => {
  const generated = agentProfileJsonSchemas();

  it.each([AGENT_PROFILE_SCHEMA_FILE, AGENT_PROFILE_OVERRIDE_SCHEMA_FILE])(
    'the committed agents-config/%s equals the one generated from the zod schema (regenerate: node extension/build/gen-schemas.mjs)',
    (name) => {
      expect(readConfig(name)).toEqual(generated[name]);
    },
  );

  it('lists the required fields of a full profile and only schemaVersion and kind for an override', () => {
    const full = generated[AGENT_PROFILE_SCHEMA_FILE] as {
      required: string[];
      additionalProperties: boolean;
    };
    const override = generated[AGENT_PROFILE_OVERRIDE_SCHEMA_FILE] as { required: string[] };
    expect(full.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'kind', 'command', 'patterns', 'approval']),
    );
    expect(full.required).not.toContain('$schema');
    expect(full.additionalProperties).toBe(false);
    expect(override.required.sort()).toEqual(['kind', 'schemaVersion']);
  });
});

describe('AgentProfile validation', () => {
  const codex = readConfig('codex.json') as Record<string, unknown> & { patterns: { rules: object[] }[] };
  const withRules = (rules: object[]): unknown => ({ ...codex, patterns: [{ versions: '*', rules }] });

  it('names the rule and field of a regex that does not compile', () => {
    const bad = withRules([rule, { ...rule, id: 'b' }, { ...rule, id: 'c', regex: '(unclosed' }]);
    expect(problems(AgentProfile, bad)).toEqual([
      'patterns[0].rules[2].regex: invalid regular expression: Unterminated group',
    ]);
  });

  it('checks a regex with its flags, and refuses the stateful g and y flags', () => {
    expect(problems(Rule, { ...rule, regex: '[\\p{L}--[a-z]]', flags: 'v' })).toEqual([]);
    expect(problems(Rule, { ...rule, regex: '[\\p{L}--[a-z]]' })).toEqual([
      'regex: invalid regular expression: Range out of order in character class',
    ]);
    expect(problems(Rule, { ...rule, flags: 'gi' })).toEqual([
      'flags: may hold each of i, m, s, u, v once (g and y would make line tests stateful)',
    ]);
    expect(problems(Rule, { ...rule, flags: 'ii' })).toHaveLength(1);
  });

  it('allows error details only on error rules and approval details only on approval rules', () => {
    expect(problems(Rule, { ...rule, error: { class: 'server', retrying: false } })).toEqual([
      'error: only allowed on rules with state "error"',
    ]);
    expect(problems(Rule, { ...rule, approval: { kind: 'command' } })).toEqual([
      'approval: only allowed on rules with state "awaiting_approval"',
    ]);
    expect(
      problems(Rule, { ...rule, state: 'error', error: { class: 'bogus', retrying: false } })[0],
    ).toMatch(/^error\.class: /);
    expect(problems(Rule, { ...rule, state: 'exited' })[0]).toMatch(/^state: /);
  });

  it('requires a capture group in commandRegex and in the version pattern', () => {
    const approvalRule = {
      ...rule,
      state: 'awaiting_approval',
      approval: { kind: 'command', commandRegex: '^\\$ .+' },
    };
    expect(problems(Rule, approvalRule)).toEqual([
      'approval.commandRegex: needs a capture group around the value to take',
    ]);
    expect(problems(AgentProfile, { ...codex, version: { args: ['-V'], pattern: '\\d+' } })).toEqual([
      'version.pattern: needs a capture group around the value to take',
    ]);
  });

  it('refuses duplicate rule ids in a set and version ranges that are not semver', () => {
    expect(problems(AgentProfile, withRules([rule, { ...rule }]))).toEqual([
      'patterns[0].rules[1].id: duplicate rule id "r"',
    ]);
    const badRange = { ...codex, patterns: [{ versions: 'newest', rules: [rule] }] };
    expect(problems(AgentProfile, badRange)).toEqual([
      'patterns[0].versions: must be a semver range such as ">=0.160.0" or "*"',
    ]);
  });

  it('refuses unknown fields (a typo is an error, not silently ignored) and a missing schemaVersion', () => {
    expect(problems(AgentProfile, { ...codex, submitDelay: 5 })[0]).toContain('submitDelay');
    const { schemaVersion: _v, ...unversioned } = codex;
    expect(problems(AgentProfile, unversioned)[0]).toMatch(/^schemaVersion: /);
    expect(problems(AgentProfile, { ...codex, schemaVersion: 2 })[0]).toMatch(/^schemaVersion: /);
  });

  it('accepts an override that gives only a few fields, and checks those it gives', () => {
    expect(
      problems(AgentProfileOverride, { schemaVersion: 1, kind: 'codex', input: { submitDelayMs: 800 } }),
    ).toEqual([]);
    expect(
      problems(AgentProfileOverride, { schemaVersion: 1, kind: 'codex', input: { submitDelayMs: -1 } })[0],
    ).toMatch(/^input\.submitDelayMs: /);
    expect(problems(AgentProfileOverride, { schemaVersion: 1, input: {} })[0]).toMatch(/^kind: /);
  });
});
