import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { createStructuredModel, type ModelResult } from '../decisions/modelDecider';
import type { ModelSettings } from '../decisions/modelSettings';
import { ErrorCode, FleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import { PANE_STATES } from '../panes/types';
import { AGENT_PROFILE_SCHEMA_VERSION, AgentProfile } from '../schemas/agentProfile';
import { formatIssues } from '../schemas/issues';
import { unifiedDiff } from '../text/unifiedDiff';

/** Requests at most: the first, then two with the problems of the answer before. */
export const MAX_PROFILE_ATTEMPTS = 3;

const STATES = PANE_STATES.filter((s) => s !== 'exited').join(', ');

/**
 * What the model answers: the profile in a shape strict structured output can carry (every field present,
 * null for "none", no maps), converted to an AgentProfile and validated by the profile schema. Values the
 * schema would refuse (a bad state, a regex that does not compile) are still accepted here so that the
 * profile schema names them field by field and the model gets them back.
 */
export const profileWireSchema = z
  .object({
    kind: z
      .string()
      .describe('1-32 lowercase letters, digits or dashes, starting with a letter; a new kind.'),
    display_name: z.string().describe('Name shown in the views, e.g. "Aider".'),
    command: z.string().describe('The executable to start.'),
    args: z.array(z.string()).describe('Arguments for a fresh start.'),
    env: z
      .array(z.object({ name: z.string(), value: z.string() }))
      .describe('Environment variables added when starting the agent.'),
    detect_executables: z.array(z.string()).describe('Executable names that mean this agent.'),
    version_args: z.array(z.string()).nullable().describe('Arguments that print the version; null: none.'),
    version_pattern: z
      .string()
      .nullable()
      .describe('Regex whose first capture group is the version in that output; null: none.'),
    resume_args: z
      .array(z.string())
      .nullable()
      .describe('Arguments that continue the last session; null: cannot resume.'),
    approve_keys: z.string().nullable().describe('Keys that approve a request ("y"); null: never asks.'),
    deny_keys: z
      .string()
      .nullable()
      .describe('Keys that decline a request ("n", "\\u001b"); null: never asks.'),
    nudge_text: z.string().nullable().describe('Message that gets a stalled agent going; null: no nudge.'),
    interrupt_keys: z.string().describe('Keys that stop the current turn, usually "\\u0003" or "\\u001b".'),
    submit_keys: z.string().describe('Keys that submit a message, usually "\\r".'),
    submit_delay_ms: z.number().int().describe('Pause between the text and the submit keys, in ms.'),
    idle_debounce_ms: z.number().int().describe('How long a calm screen must hold before "awaiting_input".'),
    live_rows: z.number().int().nullable().describe('Bottom rows that `live` rules read; null: 14.'),
    patterns: z
      .array(
        z.object({
          versions: z.string().describe('Semver range of CLI versions, "*" for any.'),
          rules: z.array(
            z.object({
              id: z.string().describe('Unique in the set: letters, digits, ".", "_" or "-".'),
              state: z.string().describe(`One of: ${STATES}.`),
              source: z.string().describe('One of: live, screen, title.'),
              regex: z.string().describe('JavaScript regular expression tested against one line.'),
              flags: z.string().nullable().describe('RegExp flags from "imsuv"; null: none.'),
              priority: z.number().int().nullable().describe('Higher wins when several match; null: 0.'),
            }),
          ),
        }),
      )
      .describe('Screen patterns: at least one set with at least one rule.'),
  })
  .describe('fleetai:profile - a FleetAI agent profile (how to start, answer and read one agent CLI)');
export type ProfileWire = z.output<typeof profileWireSchema>;

/** What the Meta Agent needs of a model: one structured answer per request. Tests may pass their own. */
export interface ProfileModel {
  readonly name: string;
  generate(request: { instructions: string; input: string }): Promise<ModelResult<ProfileWire>>;
}

/** The configured endpoint as a profile model (the decider's structured calls, as the Designer uses them). */
export function createProfileModel(settings: ModelSettings, options: { log: Logger }): ProfileModel {
  const model = createStructuredModel(settings, options);
  return {
    name: settings.model,
    generate: (request) =>
      model.call(
        'profile',
        () => request,
        profileWireSchema,
        (value) => ({ value }),
      ),
  };
}

export const PROFILE_INSTRUCTIONS = [
  'You write FleetAI agent profiles. A profile tells FleetAI how to start one terminal AI coding agent (or any',
  'interactive CLI), how to type into it, answer its approval prompts, and read its state from the screen with',
  'regular expressions (rules), one rule set per range of CLI versions.',
  'Choose a short lowercase kind that is not in "existing_kinds" unless "kind" is given: then use exactly that.',
  'Write rules for at least "working" and "awaiting_input"; add "awaiting_approval" and "error" rules when the',
  'CLI shows such prompts. Use null for what the CLI does not have.',
  'When the input has "problems", they are the problems of "previous_profile" (paths such as',
  'patterns[0].rules[1].state name profile fields): answer the whole profile again with every problem fixed.',
].join('\n');

export interface GenerateProfileOptions {
  model: ProfileModel;
  /** Kinds already loaded; the model is asked for a new one unless `kind` is given. */
  existingKinds: readonly string[];
  /** The kind wanted (`--kind`); the model's answer must use it. */
  kind?: string;
  /** Where the profile would be written (`.fleetai/agents`), for the diff against the file already there. */
  workspaceDir: string;
  maxAttempts?: number;
}

export interface ProfileRound {
  attempt: number;
  problems: string[];
}

export interface GeneratedProfile {
  profile: AgentProfile;
  /** `<workspaceDir>/<kind>.json`. */
  file: string;
  /** The file's text as it would be written. */
  text: string;
  /** Unified diff against the file there now (or /dev/null); empty when it is the same. */
  diff: string;
  existed: boolean;
  model: string;
  attempts: number;
  rounds: ProfileRound[];
}

/**
 * The Meta Agent: a description becomes a profile. The model answers in the wire shape; the profile schema
 * validates it, and its problems go back to the model (at most `maxAttempts` requests in all). Nothing invalid
 * is ever returned: after the last attempt the problems are an E_MODEL_BAD_OUTPUT error. An endpoint that fails
 * (unreachable, HTTP error, timeout) ends it at once. Nothing is written here: the caller shows the diff first.
 */
export async function generateProfile(
  description: string,
  options: GenerateProfileOptions,
): Promise<GeneratedProfile> {
  const text = description.trim();
  if (!text) throw new FleetError(ErrorCode.ConfigInvalid, 'A profile needs a description of the agent');
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? MAX_PROFILE_ATTEMPTS));
  const rounds: ProfileRound[] = [];
  let previous: unknown;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const input = {
      description: text,
      existing_kinds: options.existingKinds,
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(problems.length > 0 ? { previous_profile: previous ?? null, problems } : {}),
    };
    const answer = await options.model.generate({
      instructions: PROFILE_INSTRUCTIONS,
      input: JSON.stringify(input),
    });
    if (!answer.ok) {
      if (answer.error.code !== ErrorCode.ModelBadOutput)
        throw new FleetError(answer.error.code, answer.error.message, { ...answer.error.details, attempt });
      problems = [answer.error.message];
      previous = undefined;
      rounds.push({ attempt, problems });
      continue;
    }
    const candidate = wireToProfile(answer.value);
    problems = profileProblems(candidate, options.kind);
    if (problems.length === 0) {
      const profile = AgentProfile.parse(candidate);
      return {
        ...(await diffAgainstFile(profile, options.workspaceDir)),
        profile,
        model: options.model.name,
        attempts: attempt,
        rounds,
      };
    }
    previous = candidate;
    rounds.push({ attempt, problems });
  }
  throw new FleetError(
    ErrorCode.ModelBadOutput,
    `The model's profile still has problems after ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}: ${problems.join('; ')}`,
    { attempts: maxAttempts, problems, rounds },
  );
}

/** The text a profile is written as (what `writeJsonAtomic` writes), and its diff against the file there. */
export async function diffAgainstFile(
  profile: AgentProfile,
  workspaceDir: string,
): Promise<{ file: string; text: string; diff: string; existed: boolean }> {
  const file = path.join(workspaceDir, `${profile.kind}.json`);
  const text = `${JSON.stringify(profile, null, 2)}\n`;
  let old: string | undefined;
  try {
    old = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return {
    file,
    text,
    diff: unifiedDiff(old, text, { old: `a/${profile.kind}.json`, new: `b/${profile.kind}.json` }),
    existed: old !== undefined,
  };
}

function profileProblems(candidate: unknown, kind: string | undefined): string[] {
  const checked = AgentProfile.safeParse(candidate);
  const problems = checked.success ? [] : formatIssues(checked.error.issues);
  const answered = (candidate as { kind?: unknown }).kind;
  if (kind !== undefined && answered !== kind)
    problems.push(`kind: must be "${kind}", not "${String(answered)}"`);
  return problems;
}

/** The wire answer as a profile file's fields (not validated yet). */
export function wireToProfile(wire: ProfileWire): Record<string, unknown> {
  return {
    schemaVersion: AGENT_PROFILE_SCHEMA_VERSION,
    kind: wire.kind,
    displayName: wire.display_name,
    command: wire.command,
    args: wire.args,
    env: Object.fromEntries(wire.env.map((e) => [e.name, e.value])),
    detect: { executables: wire.detect_executables },
    version:
      wire.version_args !== null && wire.version_pattern !== null
        ? { args: wire.version_args, pattern: wire.version_pattern }
        : null,
    resume: wire.resume_args !== null ? { args: wire.resume_args } : null,
    approval:
      wire.approve_keys !== null && wire.deny_keys !== null
        ? { approve: wire.approve_keys, deny: wire.deny_keys }
        : null,
    nudge: wire.nudge_text !== null ? { text: wire.nudge_text } : null,
    interrupt: wire.interrupt_keys,
    input: { submitDelayMs: wire.submit_delay_ms, submitKeys: wire.submit_keys },
    timing: {
      idleDebounceMs: wire.idle_debounce_ms,
      ...(wire.live_rows !== null ? { liveRows: wire.live_rows } : {}),
    },
    patterns: wire.patterns.map((set) => ({
      versions: set.versions,
      rules: set.rules.map((rule) => ({
        id: rule.id,
        state: rule.state,
        source: rule.source,
        regex: rule.regex,
        ...(rule.flags !== null ? { flags: rule.flags } : {}),
        ...(rule.priority !== null ? { priority: rule.priority } : {}),
      })),
    })),
  };
}
