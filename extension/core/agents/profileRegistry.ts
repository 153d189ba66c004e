import { existsSync, promises as fs, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ErrorCode, FleetError, describeError, isFleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import { AgentProfile } from '../schemas/agentProfile';
import { formatIssues } from '../schemas/issues';
import { parseJsonText, writeJsonAtomic } from '../store/jsonStore';
import { loadProfiles, WORKSPACE_PROFILES_DIR, type LoadedProfiles, type ProfileProblem } from './profiles';

/** The shipped `@openai/agents` registry, below the profiles folder (so the profile loader never reads it). */
export const BUILTIN_AGENT_REGISTRY = path.join('registry', 'agents.registry.json');
/** A workspace's own registry agents, in its `.fleetai` folder. */
export const WORKSPACE_AGENT_REGISTRY = 'agents.registry.json';
/** How long the watchers wait for a burst of file events (an editor's save is several) to end. */
export const DEFAULT_RELOAD_DEBOUNCE_MS = 150;

export type EntryType = 'profile' | 'registry-agent';
export type EntrySource = 'built-in' | 'workspace';

/** One thing the registry can start: an agent CLI profile, or an agent of the `@openai/agents` registry. */
export interface RegistryEntryView {
  kind: string;
  type: EntryType;
  /** Where the first file that defines it lives. */
  source: EntrySource;
  /** The files it was made from: the defining file first, then workspace overrides. */
  files: string[];
  displayName: string;
}

/** What one reload changed; `problems` are only the ones not reported before. */
export interface ProfileRegistryChange {
  added: string[];
  changed: string[];
  removed: string[];
  problems: ProfileProblem[];
}

export interface ProfileRegistryOptions {
  /** The shipped profiles, `<extension>/agents-config`. */
  builtinDir: string;
  /** The workspace's state folder (`<workspace>/.fleetai`); profiles are in its `agents/`. None: built-ins only. */
  stateRoot?: string;
  log?: Pick<Logger, 'info' | 'warn'>;
  debounceMs?: number;
}

const RegistryAgent = z.strictObject({
  name: z.string().trim().min(1),
  instructions: z.string().trim().min(1),
  model: z.string().trim().min(1).optional(),
});
const RegistryAgentFile = z.strictObject({ $schema: z.string().optional(), agents: z.array(RegistryAgent) });
type RegistryAgent = z.output<typeof RegistryAgent>;

interface Snapshot {
  loaded: LoadedProfiles;
  agents: Map<string, { agent: RegistryAgent; file: string }>;
  problems: ProfileProblem[];
}

type Listener = (change: ProfileRegistryChange) => void;

/**
 * The agent profiles (and registry agents) of a workspace, kept loaded and up to date: `agents-config/` and
 * `.fleetai/agents/` are watched, and a burst of changes is reloaded once. A file that turns invalid is reported
 * once (file and field) while the last valid version of its kind stays loaded, so an editor's half-typed save
 * never takes an agent away; a removed file unloads what it defined. Panes keep the profile they started with:
 * the registry hands out immutable snapshots and never changes a profile in place.
 */
export class ProfileRegistry {
  private snapshot: Snapshot = {
    loaded: { profiles: new Map(), problems: [], sources: new Map() },
    agents: new Map(),
    problems: [],
  };
  private readonly listeners = new Set<Listener>();
  private readonly watchers = new Map<string, { watcher: FSWatcher }>();
  private watching = false;
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly options: ProfileRegistryOptions) {}

  /** Loads everything once; with `watch` (the window, long-lived commands) keeps reloading on changes. */
  static async open(options: ProfileRegistryOptions & { watch?: boolean }): Promise<ProfileRegistry> {
    const registry = new ProfileRegistry(options);
    registry.watching = options.watch === true;
    await registry.reload();
    return registry;
  }

  /** `<stateRoot>/agents`, where `register` writes; undefined without a workspace. */
  get workspaceDir(): string | undefined {
    return this.options.stateRoot === undefined
      ? undefined
      : path.join(this.options.stateRoot, WORKSPACE_PROFILES_DIR);
  }

  /** Profiles and registry agents, profiles first (in load order). */
  list(): RegistryEntryView[] {
    const { loaded, agents } = this.snapshot;
    const profiles = [...loaded.profiles.values()].map((profile): RegistryEntryView => {
      const files = loaded.sources.get(profile.kind) ?? [];
      return {
        kind: profile.kind,
        type: 'profile',
        source: this.sourceOf(files[0]),
        files,
        displayName: profile.displayName,
      };
    });
    const registryAgents = [...agents.entries()].map(([name, { file }]): RegistryEntryView => ({
      kind: name,
      type: 'registry-agent',
      source: this.sourceOf(file),
      files: [file],
      displayName: name,
    }));
    return [...profiles, ...registryAgents];
  }

  /** The files that are not loaded now, and why (every one, not only the new ones). */
  problems(): ProfileProblem[] {
    return [...this.snapshot.problems];
  }

  get(kind: string): AgentProfile | undefined {
    return this.snapshot.loaded.profiles.get(kind);
  }

  /** The profile of `kind`, or E_AGENT_UNKNOWN naming the kind, the folders looked in and the kinds there are. */
  ensure(kind: string): AgentProfile {
    const profile = this.get(kind);
    if (profile) return profile;
    const looked = [this.options.builtinDir, ...(this.workspaceDir ? [this.workspaceDir] : [])];
    const problem = this.snapshot.problems.find((p) => path.basename(p.file, '.json') === kind);
    const kinds = [...this.snapshot.loaded.profiles.keys()];
    throw new FleetError(
      ErrorCode.AgentUnknown,
      `No agent profile of kind "${kind}" in ${looked.join(' or ')}` +
        (problem ? ` (${problem.message})` : '') +
        ` (kinds: ${kinds.join(', ') || 'none'})`,
      { kind, looked, kinds },
    );
  }

  /** The profiles as `loadProfiles` returns them, for code that takes that shape (the pane registry). */
  loaded(): LoadedProfiles {
    const { loaded } = this.snapshot;
    return {
      profiles: new Map(loaded.profiles),
      problems: [...loaded.problems],
      sources: new Map([...loaded.sources].map(([k, v]) => [k, [...v]])),
    };
  }

  /**
   * Validates a complete profile and writes it to `.fleetai/agents/<kind>.json` (atomically: a watcher or a
   * reader sees the old file or the new one), then loads it. Returns the file written.
   */
  async register(profile: unknown): Promise<{ file: string; profile: AgentProfile }> {
    const dir = this.workspaceDir;
    if (dir === undefined)
      throw new FleetError(ErrorCode.ConfigInvalid, 'Registering a profile needs a workspace folder');
    const checked = validateProfile(profile, '(new profile)');
    const file = path.join(dir, `${checked.kind}.json`);
    await writeJsonAtomic(file, checked);
    await this.reload();
    return { file, profile: checked };
  }

  /** Fired after a reload that changed something or found a new problem. */
  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The same, EventEmitter style: `registry.on('changed', ...)`. */
  on(_event: 'changed', listener: Listener): { dispose(): void } {
    return this.onDidChange(listener);
  }

  /** Reads the folders again now (the watchers call it, debounced); concurrent calls run one after another. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.listeners.clear();
  }

  private sourceOf(file: string | undefined): EntrySource {
    const root = this.options.stateRoot;
    return root !== undefined && file !== undefined && isInside(root, file) ? 'workspace' : 'built-in';
  }

  private async reloadNow(): Promise<void> {
    if (this.closed) return;
    // Watchers armed anew before the folders are read: whatever changes after this reading is seen, and a folder
    // deleted and made again (its inode number may even be reused) gets a watcher of its own.
    if (this.watching) this.armWatchers();
    const previous = this.snapshot;
    const loaded = await loadProfiles({
      builtinDir: this.options.builtinDir,
      ...(this.workspaceDir !== undefined ? { workspaceDir: this.workspaceDir } : {}),
    });
    // A kind one of whose files is now broken keeps its previous version whole, rather than losing the
    // override (or the profile) until the file is fixed.
    for (const problem of loaded.problems) {
      for (const [kind, files] of previous.loaded.sources) {
        const kept = previous.loaded.profiles.get(kind);
        if (!files.includes(problem.file) || !kept || !existsSync(problem.file)) continue;
        loaded.profiles.set(kind, kept);
        loaded.sources.set(kind, files);
      }
    }
    const agentProblems: ProfileProblem[] = [];
    const agents = await this.loadAgents(previous, agentProblems);
    const problems = [...loaded.problems, ...agentProblems];
    this.snapshot = { loaded, agents, problems };

    const change: ProfileRegistryChange = { added: [], changed: [], removed: [], problems: [] };
    const before = entriesOf(previous);
    const after = entriesOf(this.snapshot);
    for (const [key, value] of after) {
      const old = before.get(key);
      if (old === undefined) change.added.push(key);
      else if (old !== value) change.changed.push(key);
    }
    for (const key of before.keys()) if (!after.has(key)) change.removed.push(key);
    const current = new Set<string>();
    for (const problem of problems) {
      const id = `${problem.file}\n${problem.message}`;
      current.add(id);
      if (this.reported.has(id)) continue;
      this.reported.add(id);
      change.problems.push(problem);
      this.options.log?.warn('agents', 'profile.invalid', {
        file: problem.file,
        message: problem.message,
        code: problem.code,
      });
    }
    // A problem that went away may come back later: it is reported again then.
    for (const id of this.reported) if (!current.has(id)) this.reported.delete(id);
    const changed =
      change.added.length + change.changed.length + change.removed.length + change.problems.length > 0;
    if (!changed) return;
    this.options.log?.info('agents', 'profiles.reloaded', {
      added: change.added,
      changed: change.changed,
      removed: change.removed,
      problems: change.problems.length,
    });
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.options.log?.warn('agents', 'profiles.listener.failed', { error: describeError(error) });
      }
    }
  }

  private async loadAgents(previous: Snapshot, problems: ProfileProblem[]): Promise<Snapshot['agents']> {
    const files = [
      path.join(this.options.builtinDir, BUILTIN_AGENT_REGISTRY),
      ...(this.options.stateRoot !== undefined
        ? [path.join(this.options.stateRoot, WORKSPACE_AGENT_REGISTRY)]
        : []),
    ];
    const agents: Snapshot['agents'] = new Map();
    for (const file of files) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        problems.push(problemOf(file, error));
        continue;
      }
      try {
        for (const agent of parseJsonText(file, text, RegistryAgentFile).agents)
          agents.set(agent.name, { agent, file });
      } catch (error) {
        problems.push(problemOf(file, error));
        // Same rule as profiles: the last valid agents of a broken file stay.
        for (const [name, entry] of previous.agents) if (entry.file === file) agents.set(name, entry);
      }
    }
    return agents;
  }

  /** Watches the folders that exist now, anew; a folder created later is picked up at the next reload. */
  private armWatchers(): void {
    if (this.closed) return;
    const root = this.options.stateRoot;
    const dirs: [string, (name: string) => boolean][] = [
      [this.options.builtinDir, (name) => name.endsWith('.json')],
      [
        path.join(this.options.builtinDir, path.dirname(BUILTIN_AGENT_REGISTRY)),
        (name) => name.endsWith('.json'),
      ],
    ];
    if (root !== undefined) {
      dirs.push([path.join(root, WORKSPACE_PROFILES_DIR), (name) => name.endsWith('.json')]);
      dirs.push([root, (name) => name === WORKSPACE_AGENT_REGISTRY || name === WORKSPACE_PROFILES_DIR]);
      // No state folder yet: its creation (with `agents/` inside) is seen from the workspace folder.
      dirs.push([path.dirname(root), (name) => name === path.basename(root)]);
    }
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
    for (const [dir, wanted] of dirs) {
      if (!existsSync(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // Some platforms give no name: reload to be safe.
          if (name === null || wanted(name.toString())) this.scheduleReload();
        });
        watcher.on('error', () => {
          // The folder went away: forget the watcher, the next reload arms a new one if it comes back.
          watcher.close();
          if (this.watchers.get(dir)?.watcher === watcher) this.watchers.delete(dir);
          this.scheduleReload();
        });
        this.watchers.set(dir, { watcher });
      } catch (error) {
        this.options.log?.warn('agents', 'profiles.watch.failed', { dir, error: describeError(error) });
      }
    }
  }

  private scheduleReload(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, this.options.debounceMs ?? DEFAULT_RELOAD_DEBOUNCE_MS);
  }
}

/** A complete profile, or E_STORE_SCHEMA naming `label` and every field that is wrong. */
export function validateProfile(value: unknown, label: string): AgentProfile {
  const checked = AgentProfile.safeParse(value);
  if (checked.success) return checked.data;
  const problems = formatIssues(checked.error.issues);
  throw new FleetError(ErrorCode.StoreSchema, `${label}: ${problems.join('; ')}`, { file: label, problems });
}

function entriesOf(snapshot: Snapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const [kind, profile] of snapshot.loaded.profiles)
    out.set(kind, JSON.stringify([profile, snapshot.loaded.sources.get(kind)]));
  for (const [name, entry] of snapshot.agents) out.set(`agent:${name}`, JSON.stringify(entry));
  return out;
}

function problemOf(file: string, error: unknown): ProfileProblem {
  return isFleetError(error)
    ? { file, message: error.message, code: error.code }
    : { file, message: `${file}: ${describeError(error)}`, code: ErrorCode.StoreRead };
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
