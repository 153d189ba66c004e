import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { modify, applyEdits, parseTree, findNodeAtLocation } from 'jsonc-parser';
import { orchestratorConfigJsonSchema, parseOrchestratorConfig } from '../config/orchestratorConfig';
import { describeError } from '../errors';
import { mcpServersJsonSchema, parseMcpServers } from '../mcp/mcpConfig';
import { workspacePaths } from '../workspacePaths';
import { detectAgentClis, type DetectedCli } from './detectClis';
import { missingGitignoreLines, proposedGitignoreLines } from './gitignore';
import {
  INIT_FILES,
  mcpServersTemplate,
  offeredPane,
  orchestratorTemplate,
  schemaText,
  type OfferedPane,
} from './templates';

/**
 * What happens to one file: `create` (it does not exist), `unchanged` (nothing to do), `update` (a schema
 * FleetAI generates, refreshed to this version), `merge` (panes the user chose added to their config, comments
 * and everything else kept), `keep` (the user's file, left as it is; `missing` and `problem` say what init would
 * have added or what is wrong with it).
 */
export type InitFileAction = 'create' | 'unchanged' | 'update' | 'merge' | 'keep';

export interface PlannedFile {
  role: keyof typeof INIT_FILES;
  path: string;
  /** Relative to the workspace, with forward slashes (for messages). */
  relative: string;
  action: InitFileAction;
  /** The text written for create, update and merge. */
  content?: string;
  /** The text read when planning (update, merge): applying skips the file if it changed since. */
  before?: string;
  /** Keys a kept file lacks that init writes in a new one (`$schema`, `panes[agent=gemini]`). */
  missing: string[];
  /** Why a kept file could not be read or checked (its first problem, with line and column). */
  problem?: string;
}

/** A profile offered for a CLI found: `add` (goes into the config), `present` (a pane has it), `offered` (not chosen). */
export interface OfferedProfile {
  agent: string;
  version?: string;
  path?: string;
  pane: OfferedPane;
  status: 'add' | 'present' | 'offered';
}

export interface GitignorePlan {
  path: string;
  exists: boolean;
  proposed: string[];
  /** Proposed lines the file lacks: what applying with `gitignore: true` appends. */
  missing: string[];
}

export interface InitPlan {
  workspace: string;
  /** The FleetAI folder (`<workspace>/.fleetai`). */
  root: string;
  files: PlannedFile[];
  clis: DetectedCli[];
  profiles: OfferedProfile[];
  gitignore: GitignorePlan;
}

export interface PlanInitOptions {
  workspace: string;
  /** The FleetAI folder's name (VS Code setting fleetai.stateDirectory). Default `.fleetai`. */
  directoryName?: string;
  /** The shipped profiles (`agents-config/`): which programs mean which agent, and their version probe. */
  builtinProfilesDir: string;
  /** CLIs already detected (the palette detects once, asks, then plans): no second probe. */
  detected?: readonly DetectedCli[];
  /**
   * The found CLIs that get a pane. Left out: every found CLI in a new config, none added to an existing one
   * (those are reported as offered), so a second `fleet init` never brings back a pane the user removed.
   */
  profiles?: readonly string[];
  pathEnv?: string;
  env?: NodeJS.ProcessEnv;
  /** Deadline of each `--version` probe. */
  timeoutMs?: number;
}

/** Looks at the workspace and says what `applyInit` would write; changes nothing. */
export async function planInit(options: PlanInitOptions): Promise<InitPlan> {
  const workspace = path.resolve(options.workspace);
  const directoryName = options.directoryName ?? '.fleetai';
  const root = workspacePaths(workspace, directoryName).root;
  const clis = options.detected
    ? [...options.detected]
    : await detectAgentClis({
        builtinProfilesDir: options.builtinProfilesDir,
        workspaceProfilesDir: path.join(root, 'agents'),
        ...(options.pathEnv !== undefined ? { pathEnv: options.pathEnv } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
  const relative = (file: string): string => path.relative(workspace, file).split(path.sep).join('/');
  const fileAt = (role: keyof typeof INIT_FILES): string => path.join(root, INIT_FILES[role]);

  const files: PlannedFile[] = [];
  for (const [role, schema] of [
    ['orchestratorSchema', orchestratorConfigJsonSchema()],
    ['mcpServersSchema', mcpServersJsonSchema()],
  ] as const) {
    files.push({ ...(await planGenerated(role, fileAt(role), schema)), relative: relative(fileAt(role)) });
  }

  const found = clis.filter((c) => c.found);
  const orchestratorFile = fileAt('orchestrator');
  const existing = await readText(orchestratorFile);
  let profiles: OfferedProfile[];
  if (existing.text === undefined && existing.error === undefined) {
    const chosen = found.filter((c) => options.profiles?.includes(c.name) ?? true);
    const taken = new Set<string>();
    profiles = found.map((cli) => {
      const pane = offeredPane(cli, taken);
      const add = chosen.includes(cli);
      if (add) taken.add(pane.id);
      return profileOf(cli, pane, add ? 'add' : 'offered');
    });
    const content = orchestratorTemplate(
      profiles.filter((p) => p.status === 'add').map((p) => p.pane),
      clis,
    );
    // A template that the loader refuses is a bug here, not the user's: fail before anything is written.
    parseOrchestratorConfig(orchestratorFile, content);
    files.push({
      role: 'orchestrator',
      path: orchestratorFile,
      relative: relative(orchestratorFile),
      action: 'create',
      content,
      missing: [],
    });
  } else {
    const planned = planExistingOrchestrator(orchestratorFile, existing, found, options.profiles ?? []);
    profiles = planned.profiles;
    files.push({ ...planned.file, relative: relative(orchestratorFile) });
  }

  const mcpFile = fileAt('mcpServers');
  const mcpExisting = await readText(mcpFile);
  if (mcpExisting.text === undefined && mcpExisting.error === undefined) {
    const content = mcpServersTemplate();
    if (parseMcpServers(mcpFile, content).problems.length > 0)
      throw new Error(`${mcpFile}: template does not validate`);
    files.push({
      role: 'mcpServers',
      path: mcpFile,
      relative: relative(mcpFile),
      action: 'create',
      content,
      missing: [],
    });
  } else {
    const problem =
      mcpExisting.error ?? parseMcpServers(mcpFile, mcpExisting.text ?? '').problems[0]?.message;
    files.push({
      role: 'mcpServers',
      path: mcpFile,
      relative: relative(mcpFile),
      action: 'keep',
      missing: mcpExisting.text !== undefined && !hasKey(mcpExisting.text, '$schema') ? ['$schema'] : [],
      ...(problem ? { problem } : {}),
    });
  }

  const gitignoreFile = path.join(workspace, '.gitignore');
  const gitignoreText = await readText(gitignoreFile);
  const proposed = proposedGitignoreLines(directoryName);
  return {
    workspace,
    root,
    files,
    clis,
    profiles,
    gitignore: {
      path: gitignoreFile,
      exists: gitignoreText.text !== undefined,
      proposed,
      missing: missingGitignoreLines(gitignoreText.text, proposed),
    },
  };
}

function profileOf(cli: DetectedCli, pane: OfferedPane, status: OfferedProfile['status']): OfferedProfile {
  return {
    agent: cli.name,
    ...(cli.version ? { version: cli.version } : {}),
    ...(cli.path ? { path: cli.path } : {}),
    pane,
    status,
  };
}

/**
 * A config the user already has is theirs: nothing in it changes. Only the panes chosen now (the palette's
 * quick pick) for CLIs that no pane uses yet are added, through jsonc-parser edits that keep every comment,
 * value and blank line around them.
 */
function planExistingOrchestrator(
  file: string,
  existing: { text?: string; error?: string },
  found: readonly DetectedCli[],
  chosen: readonly string[],
): { file: Omit<PlannedFile, 'relative'>; profiles: OfferedProfile[] } {
  const kept = { role: 'orchestrator' as const, path: file, action: 'keep' as const };
  if (existing.text === undefined) {
    return {
      file: { ...kept, missing: [], problem: existing.error ?? 'unreadable' },
      profiles: found.map((cli) => profileOf(cli, offeredPane(cli, new Set()), 'offered')),
    };
  }
  const text = existing.text;
  let panes: readonly { id: string; agent: string }[];
  try {
    panes = parseOrchestratorConfig(file, text).panes;
  } catch (error) {
    return {
      file: { ...kept, missing: [], problem: describeError(error) },
      profiles: found.map((cli) => profileOf(cli, offeredPane(cli, new Set()), 'offered')),
    };
  }
  const taken = new Set(panes.map((p) => p.id));
  const profiles = found.map((cli) => {
    if (panes.some((p) => p.agent === cli.name))
      return profileOf(cli, offeredPane(cli, new Set()), 'present');
    const pane = offeredPane(cli, taken);
    const add = chosen.includes(cli.name);
    if (add) taken.add(pane.id);
    return profileOf(cli, pane, add ? 'add' : 'offered');
  });
  const missing = [
    ...(hasKey(text, '$schema') ? [] : ['$schema']),
    ...profiles.filter((p) => p.status === 'offered').map((p) => `panes[agent=${p.agent}]`),
  ];
  const toAdd = profiles.filter((p) => p.status === 'add').map((p) => p.pane);
  if (toAdd.length === 0) return { file: { ...kept, missing }, profiles };
  const content = addPanes(text, toAdd);
  parseOrchestratorConfig(file, content);
  return {
    file: { role: 'orchestrator', path: file, action: 'merge', content, before: text, missing },
    profiles,
  };
}

/** The config text with panes appended to its `panes` array (made when missing); nothing else moves. */
export function addPanes(text: string, panes: readonly OfferedPane[]): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol };
  let out = text;
  for (const pane of panes) {
    const tree = parseTree(out, [], { allowTrailingComma: true });
    const list = tree ? findNodeAtLocation(tree, ['panes']) : undefined;
    const edits =
      list?.type === 'array'
        ? modify(out, ['panes', -1], { ...pane }, { formattingOptions, isArrayInsertion: true })
        : modify(out, ['panes'], [{ ...pane }], { formattingOptions });
    out = applyEdits(out, edits);
  }
  return out;
}

function hasKey(text: string, key: string): boolean {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  return tree !== undefined && findNodeAtLocation(tree, [key]) !== undefined;
}

async function planGenerated(
  role: 'orchestratorSchema' | 'mcpServersSchema',
  file: string,
  schema: Record<string, unknown>,
): Promise<Omit<PlannedFile, 'relative'>> {
  const content = schemaText(schema);
  const existing = await readText(file);
  const base = { role, path: file, missing: [] };
  if (existing.text === undefined && existing.error === undefined)
    return { ...base, action: 'create', content };
  if (existing.text === content) return { ...base, action: 'unchanged' };
  if (existing.text === undefined)
    return { ...base, action: 'keep', ...(existing.error ? { problem: existing.error } : {}) };
  // FleetAI generates this file from its own schema: refreshing it keeps editors in step with this version.
  return { ...base, action: 'update', content, before: existing.text };
}

/** The file's text; `{}` when it does not exist; `error` when it exists but cannot be read. */
async function readText(file: string): Promise<{ text?: string; error?: string }> {
  try {
    return { text: await fs.readFile(file, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { error: `${file}: could not read (${describeError(error)})` };
  }
}
