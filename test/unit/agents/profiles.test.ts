import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  BUILTIN_PROFILES_DIR,
  compileRules,
  loadProfiles,
  mergeProfile,
  parseCliVersion,
  selectPatternSet,
} from '../../../extension/core/agents/profiles';
import { ErrorCode } from '../../../extension/core/errors';
import type { AgentProfile, AgentProfileRule } from '../../../extension/core/schemas/agentProfile';
import { repoRoot, useTempDirs } from '../helpers';

const builtinDir = path.join(repoRoot, BUILTIN_PROFILES_DIR);
const tempDir = useTempDirs();

/** A workspace `.fleetai/agents` folder holding the given files (objects are written as JSON, strings as is). */
function workspace(files: Record<string, unknown>): string {
  const dir = path.join(tempDir(), '.fleetai', 'agents');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(
      path.join(dir, name),
      typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`,
    );
  }
  return dir;
}

async function builtins(): Promise<Map<string, AgentProfile>> {
  const { profiles, problems } = await loadProfiles({ builtinDir });
  expect(problems).toEqual([]);
  return profiles;
}

const workingRule = {
  id: 'custom-working',
  state: 'working',
  source: 'live',
  regex: 'Thinking hard',
} as const;

describe('loadProfiles', () => {
  it('loads the five shipped profiles with no problems, and no workspace folder is fine', async () => {
    const log = { info: vi.fn(), warn: vi.fn() };
    const missing = path.join(tempDir(), '.fleetai', 'agents');
    const { profiles, problems, sources } = await loadProfiles({ builtinDir, workspaceDir: missing, log });
    expect(problems).toEqual([]);
    expect([...profiles.keys()].sort()).toEqual(['aider', 'claude', 'codex', 'gemini', 'shell']);
    expect(sources.get('codex')).toEqual([path.join(builtinDir, 'codex.json')]);
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.info).toHaveBeenCalledWith(
      'agents',
      'profiles.loaded',
      expect.objectContaining({ problems: 0 }),
    );
  });

  it('applies a workspace override: given fields replace, objects merge field by field, its pattern sets come first', async () => {
    const base = (await builtins()).get('codex');
    const dir = workspace({
      'codex.json': {
        schemaVersion: 1,
        kind: 'codex',
        args: ['--no-daemon'],
        input: { submitDelayMs: 900 },
        env: { CODEX_HOME: '/tmp/ch' },
        patterns: [{ versions: '>=0.169.0', rules: [workingRule] }],
      },
    });
    const { profiles, problems, sources } = await loadProfiles({ builtinDir, workspaceDir: dir });
    expect(problems).toEqual([]);
    const codex = profiles.get('codex');
    expect(codex?.args).toEqual(['--no-daemon']);
    expect(codex?.input).toEqual({ submitDelayMs: 900, submitKeys: '\r' });
    expect(codex?.env).toEqual({ CODEX_HOME: '/tmp/ch' });
    expect(codex?.approval).toEqual(base?.approval);
    expect(codex?.patterns.map((s) => s.versions)).toEqual([
      '>=0.169.0',
      ...(base?.patterns ?? []).map((s) => s.versions),
    ]);
    expect(sources.get('codex')).toEqual([path.join(builtinDir, 'codex.json'), path.join(dir, 'codex.json')]);
    // The workspace set wins for the versions it covers; older versions keep the built-in rules.
    expect(selectPatternSet(codex as AgentProfile, '0.169.0').map((r) => r.id)).toEqual(['custom-working']);
    expect(selectPatternSet(codex as AgentProfile, '0.100.0')).toEqual(base?.patterns[0]?.rules);
  });

  it('lets null turn a feature off and adds a new kind from a complete workspace profile', async () => {
    const shell = (await builtins()).get('shell') as AgentProfile;
    const dir = workspace({
      'claude.json': { schemaVersion: 1, kind: 'claude', resume: null },
      'mycli.json': {
        ...shell,
        kind: 'mycli',
        displayName: 'My CLI',
        command: 'mycli',
        detect: { executables: ['mycli'] },
      },
    });
    const { profiles, problems } = await loadProfiles({ builtinDir, workspaceDir: dir });
    expect(problems).toEqual([]);
    expect(profiles.get('claude')?.resume).toBeNull();
    expect(profiles.get('mycli')?.displayName).toBe('My CLI');
  });

  it('reports a workspace file with a bad regex by file and field, skips it whole, and loads everything else', async () => {
    const log = { info: vi.fn(), warn: vi.fn() };
    const dir = workspace({
      'codex.json': {
        schemaVersion: 1,
        kind: 'codex',
        input: { submitDelayMs: 1 },
        patterns: [{ versions: '*', rules: [{ ...workingRule, regex: '([unclosed' }] }],
      },
      'gemini.json': { schemaVersion: 1, kind: 'gemini', nudge: { text: 'go on' } },
    });
    const file = path.join(dir, 'codex.json');
    const { profiles, problems } = await loadProfiles({ builtinDir, workspaceDir: dir, log });
    expect(problems).toEqual([
      {
        file,
        code: ErrorCode.StoreSchema,
        message: `${file}: patterns[0].rules[0].regex: invalid regular expression: Unterminated character class`,
      },
    ]);
    // Nothing of the bad file was applied, not even its valid fields; the built-in stays.
    expect(profiles.get('codex')?.input.submitDelayMs).toBe(500);
    expect(profiles.get('gemini')?.nudge).toEqual({ text: 'go on' });
    expect(profiles.size).toBe(5);
    expect(log.warn).toHaveBeenCalledWith('agents', 'profile.invalid', expect.objectContaining({ file }));
  });

  it('reports invalid JSON with file:line:col', async () => {
    const dir = workspace({ 'claude.json': '{\n  "schemaVersion": 1,\n  "kind": "claude",,\n}\n' });
    const file = path.join(dir, 'claude.json');
    const { profiles, problems } = await loadProfiles({ builtinDir, workspaceDir: dir });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe(ErrorCode.StoreParse);
    expect(problems[0]?.message).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:20: not valid JSON`),
    );
    expect(profiles.get('claude')?.resume).toEqual({ args: ['--continue'] });
  });

  it('says a new kind must be complete, and checks an override again after merging', async () => {
    const dir = workspace({
      'a-new.json': { schemaVersion: 1, kind: 'newcli', command: 'newcli' },
      'b-shell.json': { schemaVersion: 1, kind: 'shell', approval: { approve: 'y' } },
    });
    const { profiles, problems } = await loadProfiles({ builtinDir, workspaceDir: dir });
    expect(problems.map((p) => path.basename(p.file))).toEqual(['a-new.json', 'b-shell.json']);
    expect(problems[0]?.message).toContain('displayName: ');
    expect(problems[0]?.message).toContain(
      'no profile of kind "newcli" to override, so this file must be a complete profile',
    );
    expect(problems[1]?.message).toContain('approval.deny: ');
    expect(problems[1]?.message).toContain('(after merging onto the "shell" profile)');
    expect(profiles.has('newcli')).toBe(false);
    expect(profiles.get('shell')?.approval).toBeNull();
  });

  it('reports a second built-in file of the same kind and ignores schema files', async () => {
    const dir = tempDir();
    cpSync(builtinDir, dir, { recursive: true });
    cpSync(path.join(dir, 'codex.json'), path.join(dir, 'zz-codex-copy.json'));
    const { profiles, problems } = await loadProfiles({ builtinDir: dir });
    expect(problems).toEqual([
      {
        file: path.join(dir, 'zz-codex-copy.json'),
        code: ErrorCode.ConfigInvalid,
        message: `${path.join(dir, 'zz-codex-copy.json')}: kind: "codex" is already defined by ${path.join(dir, 'codex.json')}`,
      },
    ]);
    expect(profiles.size).toBe(5);
  });

  it('reports a missing built-in folder instead of throwing', async () => {
    const dir = path.join(tempDir(), 'nope');
    const { profiles, problems } = await loadProfiles({ builtinDir: dir });
    expect(profiles.size).toBe(0);
    expect(problems).toEqual([expect.objectContaining({ file: dir, code: ErrorCode.StoreRead })]);
  });
});

describe('mergeProfile', () => {
  it('does not change the profile it merges onto', async () => {
    const codex = (await builtins()).get('codex') as AgentProfile;
    const before = structuredClone(codex);
    mergeProfile(codex, {
      schemaVersion: 1,
      kind: 'codex',
      input: { submitDelayMs: 1 },
      patterns: [{ versions: '*', rules: [workingRule] }],
    });
    expect(codex).toEqual(before);
  });
});

describe('selectPatternSet', () => {
  const r = (id: string): AgentProfileRule => ({ id, state: 'working', source: 'live', regex: id });
  const profileWith = async (patterns: AgentProfile['patterns']): Promise<AgentProfile> => ({
    ...((await builtins()).get('codex') as AgentProfile),
    patterns,
  });

  it('picks the first set whose range contains the version', async () => {
    const profile = await profileWith([
      { versions: '>=0.150.0', rules: [r('new')] },
      { versions: '>=0.80.0 <0.150.0', rules: [r('mid')] },
      { versions: '*', rules: [r('any')] },
    ]);
    expect(selectPatternSet(profile, '0.169.0').map((x) => x.id)).toEqual(['new']);
    expect(selectPatternSet(profile, '0.100.0').map((x) => x.id)).toEqual(['mid']);
    expect(selectPatternSet(profile, '0.50.0').map((x) => x.id)).toEqual(['any']);
    // Prereleases count (semver leaves them out of ranges by default).
    expect(selectPatternSet(profile, '0.170.0-alpha.3').map((x) => x.id)).toEqual(['new']);
    // Not quite semver, as CLIs print it.
    expect(selectPatternSet(profile, 'v0.151').map((x) => x.id)).toEqual(['new']);
  });

  it('falls back to the "*" set for an unknown version, else to the first set', async () => {
    const withAny = await profileWith([
      { versions: '>=0.150.0', rules: [r('new')] },
      { versions: '*', rules: [r('any')] },
    ]);
    expect(selectPatternSet(withAny).map((x) => x.id)).toEqual(['any']);
    expect(selectPatternSet(withAny, 'unknown').map((x) => x.id)).toEqual(['any']);
    const noAny = await profileWith([
      { versions: '>=0.150.0', rules: [r('new')] },
      { versions: '<0.150.0', rules: [r('old')] },
    ]);
    expect(selectPatternSet(noAny).map((x) => x.id)).toEqual(['new']);
  });

  it('puts an extending set on top of the next matching one, replacing rules with the same id', async () => {
    const profile = await profileWith([
      { versions: '*', extend: true, rules: [{ ...r('b'), regex: 'better b' }, r('z')] },
      { versions: '>=0.150.0', rules: [r('a'), r('b')] },
      { versions: '*', rules: [r('old')] },
    ]);
    const rules = selectPatternSet(profile, '0.169.0');
    expect(rules.map((x) => x.id)).toEqual(['b', 'z', 'a']);
    expect(rules[0]?.regex).toBe('better b');
    expect(selectPatternSet(profile, '0.100.0').map((x) => x.id)).toEqual(['b', 'z', 'old']);
    expect(selectPatternSet(profile).map((x) => x.id)).toEqual(['b', 'z', 'old']);
  });
});

describe('compileRules', () => {
  it('compiles each regex once with its flags and fills in the defaults', () => {
    const compiled = compileRules([
      { id: 'w', state: 'working', source: 'title', regex: '^working', flags: 'i' },
      { id: 'e', state: 'error', source: 'live', regex: 'boom', priority: 40 },
      {
        id: 'a',
        state: 'awaiting_approval',
        source: 'screen',
        regex: 'Allow\\?',
        priority: 90,
        approval: { kind: 'command', commandRegex: '^\\$ (.+)$' },
      },
      { id: 'b', state: 'awaiting_approval', source: 'live', regex: 'Proceed\\?' },
    ]);
    expect(compiled[0]).toEqual({ id: 'w', state: 'working', source: 'title', re: /^working/i, priority: 0 });
    expect(compiled[1]?.error).toEqual({ class: 'unknown', retrying: false });
    expect(compiled[2]?.approval?.commandRe?.exec('$ rm -rf build')?.[1]).toBe('rm -rf build');
    expect(compiled[3]?.approval).toEqual({ kind: 'other' });
  });

  it('names the rule when a regex does not compile', () => {
    expect(() => compileRules([{ id: 'broken', state: 'working', source: 'live', regex: '(' }])).toThrow(
      /rule broken: regex: Invalid regular expression/,
    );
  });
});

describe('parseCliVersion', () => {
  it.each([
    ['codex', 'codex-cli 0.169.0\n', '0.169.0'],
    ['claude', '2.1.329 (Claude Code)\n', '2.1.329'],
    ['gemini', '0.61.0\n', '0.61.0'],
    ['aider', 'aider 0.86.1\n', '0.86.1'],
    ['codex', 'error: unknown flag\n', undefined],
    ['shell', 'GNU bash, version 5.2.15(1)-release', undefined],
  ])('reads the %s version from %j', async (kind, output, version) => {
    const profile = (await builtins()).get(kind) as AgentProfile;
    expect(parseCliVersion(profile, output)).toBe(version);
  });
});
