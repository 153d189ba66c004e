import { type Dirent, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { z } from 'zod';
import { ErrorCode, FleetError, describeError, isFleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { DetectionRule } from '../panes/stateTracker';
import {
  AgentProfile,
  AgentProfileOverride,
  type AgentProfilePatternSet,
  type AgentProfileRule,
} from '../schemas/agentProfile';
import { formatIssues } from '../schemas/issues';
import { parseJsonText } from '../store/jsonStore';

/** The folder of shipped profiles, relative to the extension's root. */
export const BUILTIN_PROFILES_DIR = 'agents-config';
/** The folder of a workspace's own profiles, relative to its `.fleetai` folder. */
export const WORKSPACE_PROFILES_DIR = 'agents';

export interface ProfileProblem {
  /** The file that was skipped. */
  file: string;
  /** Names the file, and the field (`patterns[0].rules[2].regex`) or the line and column of a JSON error. */
  message: string;
  code: ErrorCode;
}

export interface LoadProfilesOptions {
  /** The shipped profiles, normally `<extension>/agents-config`. */
  builtinDir: string;
  /** The workspace's profiles, normally `<workspace>/.fleetai/agents`; may not exist. */
  workspaceDir?: string;
  log?: Pick<Logger, 'info' | 'warn'>;
}

export interface LoadedProfiles {
  /** One valid, complete profile per kind: built-ins first, then kinds a workspace adds. */
  profiles: Map<string, AgentProfile>;
  /** Every file that was skipped, and why; the other files are loaded regardless. */
  problems: ProfileProblem[];
  /** The files each profile was made from, built-in first, then workspace overrides in the order applied. */
  sources: Map<string, string[]>;
}

/**
 * Loads the built-in profiles, then the workspace's. A workspace file whose `kind` already has a profile
 * overrides it (see `mergeProfile`); one with a new kind must be a complete profile. Files are read in name
 * order; schema files (`*.schema.json`) are ignored. A file that cannot be read, is not JSON, or does not
 * validate (before or after merging) is skipped as a whole and reported: nothing is half-loaded.
 */
export async function loadProfiles(options: LoadProfilesOptions): Promise<LoadedProfiles> {
  const profiles = new Map<string, AgentProfile>();
  const sources = new Map<string, string[]>();
  const problems: ProfileProblem[] = [];
  const report = (file: string, error: unknown): void => {
    const problem: ProfileProblem = isFleetError(error)
      ? { file, message: error.message, code: error.code }
      : { file, message: `${file}: ${describeError(error)}`, code: ErrorCode.Internal };
    problems.push(problem);
    options.log?.warn('agents', 'profile.invalid', { file, message: problem.message, code: problem.code });
  };

  for (const file of await profileFiles(options.builtinDir, true, report)) {
    try {
      const profile = parseJsonText(file, await readText(file), AgentProfile);
      const earlier = sources.get(profile.kind);
      if (earlier) {
        throw new FleetError(
          ErrorCode.ConfigInvalid,
          `${file}: kind: "${profile.kind}" is already defined by ${earlier[0] ?? 'another file'}`,
          { file },
        );
      }
      profiles.set(profile.kind, profile);
      sources.set(profile.kind, [file]);
    } catch (error) {
      report(file, error);
    }
  }

  const overrides: string[] = [];
  if (options.workspaceDir !== undefined) {
    for (const file of await profileFiles(options.workspaceDir, false, report)) {
      try {
        const text = await readText(file);
        const data = parseJsonText(file, text, z.unknown());
        const kind = kindOf(data);
        const base = kind === undefined ? undefined : profiles.get(kind);
        if (kind === undefined || !base) {
          const profile = parseNewProfile(file, text, kind);
          profiles.set(profile.kind, profile);
          sources.set(profile.kind, [file]);
          continue;
        }
        const override = parseJsonText(file, text, AgentProfileOverride);
        const merged = AgentProfile.safeParse(mergeProfile(base, override));
        if (!merged.success) {
          const problemsFound = formatIssues(merged.error.issues);
          throw new FleetError(
            ErrorCode.StoreSchema,
            `${file}: ${problemsFound.join('; ')} (after merging onto the "${kind}" profile)`,
            { file, problems: problemsFound },
          );
        }
        profiles.set(kind, merged.data);
        sources.get(kind)?.push(file);
        overrides.push(file);
      } catch (error) {
        report(file, error);
      }
    }
  }

  options.log?.info('agents', 'profiles.loaded', {
    kinds: [...profiles.keys()],
    overrides,
    problems: problems.length,
  });
  return { profiles, problems, sources };
}

/** A workspace profile of a kind with no profile yet: it has nothing to inherit from, so it must be complete. */
function parseNewProfile(file: string, text: string, kind: string | undefined): AgentProfile {
  try {
    return parseJsonText(file, text, AgentProfile);
  } catch (error) {
    if (kind === undefined || !isFleetError(error) || error.code !== ErrorCode.StoreSchema) throw error;
    throw new FleetError(
      error.code,
      `${error.message} (no profile of kind "${kind}" to override, so this file must be a complete profile)`,
      error.details,
    );
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new FleetError(
      ErrorCode.StoreRead,
      `${file}: could not read (${describeError(error)})`,
      { file },
      {
        cause: error,
      },
    );
  }
}

/** The profile files of a folder in name order; a missing workspace folder simply has none. */
async function profileFiles(
  dir: string,
  required: boolean,
  report: (file: string, error: unknown) => void,
): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    report(
      dir,
      new FleetError(ErrorCode.StoreRead, `${dir}: could not list agent profiles (${describeError(error)})`, {
        file: dir,
      }),
    );
    return [];
  }
  return entries
    .filter(
      (e) =>
        (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.json') && !e.name.endsWith('.schema.json'),
    )
    .map((e) => e.name)
    .sort()
    .map((name) => path.join(dir, name));
}

function kindOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const kind = (data as Record<string, unknown>).kind;
  return typeof kind === 'string' ? kind : undefined;
}

/**
 * Applies a workspace override to a profile: every field given replaces the profile's, objects (`input`,
 * `approval`, `env`...) field by field, arrays whole (`args`, `detect.executables`); `null` replaces too (so
 * `"resume": null` turns resuming off). `patterns` is the exception: the override's sets go before the
 * profile's, so for a version both cover, the override's set wins. The result still needs validating.
 */
export function mergeProfile(base: AgentProfile, override: AgentProfileOverride): unknown {
  const { $schema: _ignored, patterns, ...fields } = override;
  const merged = mergeValue(base, fields) as Record<string, unknown>;
  if (patterns) merged.patterns = [...patterns, ...base.patterns];
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeValue(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) out[key] = mergeValue(base[key], value);
  }
  return out;
}

/** A version as semver, from what a CLI prints ("0.169.0", "v1.2", "2.1.329"); undefined if there is none. */
export function normalizeVersion(version: string | undefined): string | undefined {
  if (!version) return undefined;
  return semver.valid(version) ?? semver.coerce(version, { includePrerelease: true })?.version;
}

/** The CLI's version from the output of its version probe (`codex --version`), or undefined. */
export function parseCliVersion(profile: AgentProfile, output: string): string | undefined {
  if (!profile.version) return undefined;
  const match = new RegExp(profile.version.pattern).exec(output);
  return normalizeVersion(match?.[1]);
}

/**
 * The rules for a CLI version: those of the first pattern set whose range contains the version (prereleases
 * included). When the version is unknown (or matches no set), the first set whose range is "*", else the
 * first set. A set with `extend: true` adds its rules on top of the next matching set below it (replacing
 * rules with the same id), so a workspace can change one rule without copying all the others.
 */
export function selectPatternSet(profile: AgentProfile, cliVersion?: string): AgentProfileRule[] {
  const version = normalizeVersion(cliVersion);
  const sets = profile.patterns;
  const byVersion = (set: AgentProfilePatternSet): boolean =>
    version !== undefined && semver.satisfies(version, set.versions, { includePrerelease: true });
  const anyVersion = (set: AgentProfilePatternSet): boolean => set.versions.trim() === '*';

  let chain = chainOf(sets, byVersion);
  if (!chain.some((set) => !set.extend)) {
    const fallback = chainOf(sets, anyVersion);
    chain = fallback.length > 0 ? fallback : chain;
  }
  if (!chain.some((set) => !set.extend)) {
    // Only extending sets matched: put them on the first complete set.
    const base = sets.find((set) => !set.extend && !chain.includes(set)) ?? sets[0];
    if (base && !chain.includes(base)) chain = [...chain, base];
  }
  return combine(chain);
}

/** The matching sets from the top down to (and including) the first one that does not extend. */
function chainOf(
  sets: readonly AgentProfilePatternSet[],
  matches: (set: AgentProfilePatternSet) => boolean,
): AgentProfilePatternSet[] {
  const chain: AgentProfilePatternSet[] = [];
  for (const set of sets) {
    if (!matches(set)) continue;
    chain.push(set);
    if (!set.extend) break;
  }
  return chain;
}

/** Upper sets first; a rule id already taken by an upper set is dropped from the lower ones. */
function combine(chain: readonly AgentProfilePatternSet[]): AgentProfileRule[] {
  const ids = new Set<string>();
  const rules: AgentProfileRule[] = [];
  for (const set of chain) {
    for (const rule of set.rules) {
      if (ids.has(rule.id)) continue;
      ids.add(rule.id);
      rules.push(rule);
    }
  }
  return rules;
}

/** A rule ready for the state tracker: regular expressions compiled once, defaults filled in. */
export type CompiledRule = DetectionRule;

/**
 * Compiles a set of rules once. An error rule without `error` reports class "unknown", not retrying; an
 * approval rule without `approval` reports kind "other". Throws E_CONFIG_INVALID naming the rule for a regular
 * expression that does not compile (only possible for rules that did not come through the schema).
 */
export function compileRules(rules: readonly AgentProfileRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const compiled: CompiledRule = {
      id: rule.id,
      state: rule.state,
      source: rule.source,
      re: compile(rule.id, 'regex', rule.regex, rule.flags),
      priority: rule.priority ?? 0,
    };
    if (rule.state === 'error') compiled.error = rule.error ?? { class: 'unknown', retrying: false };
    if (rule.state === 'awaiting_approval') {
      const commandRegex = rule.approval?.commandRegex;
      compiled.approval = {
        kind: rule.approval?.kind ?? 'other',
        ...(commandRegex !== undefined
          ? { commandRe: compile(rule.id, 'approval.commandRegex', commandRegex) }
          : {}),
      };
    }
    return compiled;
  });
}

function compile(id: string, field: string, source: string, flags?: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new FleetError(ErrorCode.ConfigInvalid, `rule ${id}: ${field}: ${describeError(error)}`, {
      rule: id,
    });
  }
}
