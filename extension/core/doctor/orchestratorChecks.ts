import { constants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProfiles } from '../agents/profiles';
import {
  controlSocketPath,
  loadOrchestratorConfig,
  resolveConfigPath,
  type LoadedOrchestratorConfig,
  type OrchestratorConfig,
} from '../config/orchestratorConfig';
import { readControlFile } from '../control/controlClient';
import { describeError, isFleetError } from '../errors';
import { locateCommand } from '../executables';
import type { AgentProfile } from '../schemas/agentProfile';
import type { WorkspacePaths } from '../workspacePaths';
import type { DoctorCheck } from './checks';
import { displayUrl, probeHttp, probeSocket, probeTcp } from './reachability';

/**
 * The checks of seed 003's diagnose script ("诊断脚本一键自检") for one workspace: its orchestrator config, the
 * programs its panes start, the environment variables it names (present or not; values are never printed), the
 * model endpoint and webhook hosts it would talk to, and the control socket of a supervisor.
 */
export interface OrchestratorCheckOptions {
  paths: WorkspacePaths;
  /** The shipped agent profiles (`agents-config/`); the workspace's own are read from `.fleetai/agents/`. */
  builtinProfilesDir?: string;
  env: NodeJS.ProcessEnv;
  pathEnv: string;
  /** Deadline of each network probe (the model endpoint, each webhook host). */
  networkTimeoutMs: number;
}

export async function orchestratorChecks(options: OrchestratorCheckOptions): Promise<DoctorCheck[]> {
  const file = options.paths.orchestratorConfig;
  let loaded: LoadedOrchestratorConfig;
  try {
    loaded = await loadOrchestratorConfig(file);
  } catch (error) {
    // The exact error, every problem on its own line; the other checks need a valid config.
    // The error's own message: every schema problem on its line, or the first (the real) JSON syntax error.
    const lines = describeError(error).split('\n');
    return [
      {
        id: 'config',
        status: 'fail',
        summary: `${file} is not valid${isFleetError(error) ? ` (${error.code})` : ''}`,
        detail: lines.join('\n      '),
      },
      await controlCheck(options, undefined),
    ];
  }
  const { config } = loaded;
  const checks: DoctorCheck[] = [
    loaded.found
      ? {
          id: 'config',
          status: 'ok',
          summary: `${file} is valid (${config.panes.length} panes, ${config.tasks.length} tasks${config.dry_run ? ', dry run' : ''})`,
        }
      : { id: 'config', status: 'ok', summary: `no ${file}: the defaults apply` },
  ];
  checks.push(...(await promptChecks(loaded)));
  checks.push(...(await agentChecks(config, options)));
  checks.push(...(await modelChecks(config, options)));
  checks.push(...(await webhookChecks(config, options)));
  checks.push(await controlCheck(options, loaded));
  return checks;
}

async function promptChecks({ config, file }: LoadedOrchestratorConfig): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const [phase, value] of Object.entries(config.prompts)) {
    if (value === undefined) continue;
    const prompt = resolveConfigPath(file, value);
    const readable = await fs.access(prompt, constants.R_OK).then(
      () => true,
      () => false,
    );
    checks.push(
      readable
        ? { id: `prompt:${phase}`, status: 'ok', summary: `prompts.${phase}: ${prompt}` }
        : { id: `prompt:${phase}`, status: 'fail', summary: `prompts.${phase}: cannot read ${prompt}` },
    );
  }
  return checks;
}

// --- agent programs ------------------------------------------------------------------------------------------

/** The same test the supervisor uses to decide that a command line goes through /bin/sh. */
const SHELL_SYNTAX = /[\s;&|$`<>]/;

/**
 * One check per program the config would start: each agent kind's `bin` (or its profile's command) for the
 * panes that use it, and each pane's own `command`. A program that is missing fails: that pane cannot start.
 */
async function agentChecks(
  config: OrchestratorConfig,
  options: OrchestratorCheckOptions,
): Promise<DoctorCheck[]> {
  const kinds = new Set([...config.panes.map((p) => p.agent), ...Object.keys(config.agents)]);
  if (kinds.size === 0) return [];
  let profiles = new Map<string, AgentProfile>();
  const checks: DoctorCheck[] = [];
  if (options.builtinProfilesDir) {
    const loaded = await loadProfiles({
      builtinDir: options.builtinProfilesDir,
      workspaceDir: path.join(options.paths.root, 'agents'),
    });
    profiles = loaded.profiles;
    for (const problem of loaded.problems) {
      checks.push({ id: `profile:${problem.file}`, status: 'warn', summary: problem.message });
    }
  }
  const workspace = path.dirname(options.paths.root);
  for (const kind of [...kinds].sort()) {
    const panes = config.panes.filter((p) => p.agent === kind && p.command === undefined);
    const bin = config.agents[kind]?.bin;
    const profile = profiles.get(kind);
    const id = `config.agent:${kind}`;
    const users = panes.length
      ? ` for pane${panes.length > 1 ? 's' : ''} ${panes.map((p) => p.id).join(', ')}`
      : '';
    const command = bin ?? profile?.command;
    if (command === undefined) {
      checks.push({
        id,
        status: panes.length ? 'fail' : 'warn',
        summary: `agent kind "${kind}"${users}: no agents.${kind}.bin and no profile of that kind`,
        detail: `profiles: ${[...profiles.keys()].join(', ') || '(none loaded)'}`,
      });
      continue;
    }
    // A pane's cwd decides where a relative program ("./bin/agent") is found; the first pane's, else the workspace.
    const cwd = path.resolve(workspace, panes[0]?.cwd ?? '.');
    checks.push(await programCheck(id, `${kind}${users}`, command, profile, cwd, options));
  }
  for (const pane of config.panes) {
    if (pane.command === undefined) continue;
    const cwd = path.resolve(workspace, pane.cwd ?? '.');
    checks.push(
      await programCheck(
        `config.pane:${pane.id}`,
        `pane ${pane.id}`,
        pane.command,
        profiles.get(pane.agent),
        cwd,
        options,
      ),
    );
  }
  return checks;
}

async function programCheck(
  id: string,
  what: string,
  command: string,
  profile: AgentProfile | undefined,
  cwd: string,
  options: OrchestratorCheckOptions,
): Promise<DoctorCheck> {
  const locate = (name: string) => locateCommand(name, { cwd, pathEnv: options.pathEnv });
  if (!SHELL_SYNTAX.test(command)) {
    const found = await locate(command);
    return found
      ? { id, status: 'ok', summary: `${what}: ${command} found at ${found}` }
      : {
          id,
          status: 'fail',
          summary: `${what}: ${command} is not installed (not on PATH${/[\\/]/.test(command) ? ` or not at ${path.resolve(cwd, command)}` : ''})`,
        };
  }
  const found: string[] = [];
  const missing: string[] = [];
  for (const need of shellNeeds(command, profile?.detect.executables ?? [], options.env)) {
    if (need.kind === 'file') {
      const exists = await fs.access(need.path, constants.R_OK).then(
        () => true,
        () => false,
      );
      (exists ? found : missing).push(
        exists ? `${need.shown} exists` : `${need.shown} (sourced) does not exist`,
      );
    } else {
      const at = await locate(need.name);
      (at ? found : missing).push(at ? `${need.name} at ${at}` : `${need.name} is not installed`);
    }
  }
  const detail = `shell command line: ${command}`;
  return missing.length
    ? { id, status: 'fail', summary: `${what}: ${missing.join('; ')}`, detail }
    : { id, status: 'ok', summary: `${what}: ${found.join(', ') || 'a shell command line'}`, detail };
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Built-ins that start no program. */
const SKIPPED_BUILTINS = new Set([
  'cd',
  'export',
  'set',
  'unset',
  'true',
  'false',
  ':',
  'eval',
  'test',
  '[',
  'echo',
]);
/** Words that run the program named after them. */
const WRAPPERS = new Set(['exec', 'command', 'nohup', 'time', 'env']);

type ShellNeed = { kind: 'program'; name: string } | { kind: 'file'; path: string; shown: string };

/**
 * What a shell command line such as `. ~/.proxy-on.sh && proxychains4 -q codex` needs: the first program of each
 * simple command, each file it sources, and any word naming the agent's own executable (the `codex` a wrapper
 * starts). Shell built-ins and variable assignments are skipped; this reads plain command lines, not scripts.
 */
export function shellNeeds(
  commandLine: string,
  agentExecutables: readonly string[],
  env: NodeJS.ProcessEnv,
): ShellNeed[] {
  const needs: ShellNeed[] = [];
  const seen = new Set<string>();
  const addProgram = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    needs.push({ kind: 'program', name });
  };
  for (const segment of commandLine.split(/&&|\|\||[;|&\n]/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean).map(unquote);
    let program = words.find((w) => !ASSIGNMENT.test(w));
    if (program === undefined || SKIPPED_BUILTINS.has(program)) continue;
    if (program === '.' || program === 'source') {
      const target = words[words.indexOf(program) + 1];
      if (target) needs.push({ kind: 'file', path: expandHome(target, env), shown: target });
      continue;
    }
    // `exec codex`, `env A=1 codex`, `nohup codex`: the program is the next word that is no option or assignment.
    if (WRAPPERS.has(program)) {
      program = words
        .slice(words.indexOf(program) + 1)
        .find((w) => !w.startsWith('-') && !ASSIGNMENT.test(w));
    }
    if (program !== undefined && !program.includes('$')) addProgram(expandHome(program, env));
    for (const word of words) {
      if (!word.includes('$') && agentExecutables.includes(path.basename(word)))
        addProgram(expandHome(word, env));
    }
  }
  return needs;
}

function unquote(word: string): string {
  return word.replace(/^(['"])(.*)\1$/, '$2');
}

function expandHome(word: string, env: NodeJS.ProcessEnv): string {
  if (word !== '~' && !word.startsWith('~/')) return word;
  return path.join(env.HOME ?? os.homedir(), word.slice(1));
}

// --- environment and endpoints --------------------------------------------------------------------------------

async function modelChecks(
  config: OrchestratorConfig,
  options: OrchestratorCheckOptions,
): Promise<DoctorCheck[]> {
  const { model } = config;
  if (model.base_url === undefined && model.model === undefined) {
    return [
      { id: 'model', status: 'ok', summary: 'no model configured: FleetAI decides by its rules alone' },
    ];
  }
  const checks: DoctorCheck[] = [];
  const key = options.env[model.api_key_env];
  checks.push(
    key
      ? {
          id: `env:${model.api_key_env}`,
          status: 'ok',
          summary: `${model.api_key_env} is set (model API key)`,
        }
      : {
          id: `env:${model.api_key_env}`,
          status: 'warn',
          summary: `${model.api_key_env} is not set: requests to the model carry no API key`,
        },
  );
  if (model.base_url === undefined) {
    checks.push({
      id: 'model.endpoint',
      status: 'warn',
      summary: `model "${model.model}" has no base_url: set model.base_url (e.g. https://api.openai.com/v1)`,
    });
    return checks;
  }
  const { url, headers } = modelsRequest(model.base_url, key);
  const shown = displayUrl(url);
  const probe = await probeHttp(url.href, { timeoutMs: options.networkTimeoutMs, headers });
  if (!probe.ok) probe.reason = probe.reason.replaceAll(url.href, shown);
  const proxy = proxyNote(options.env);
  if (!probe.ok) {
    checks.push({
      id: 'model.endpoint',
      status: 'warn',
      summary: `model endpoint unreachable: GET ${shown}: ${probe.reason}`,
      ...(proxy ? { detail: proxy } : {}),
    });
    return checks;
  }
  if (probe.status === 401 || probe.status === 403) {
    checks.push({
      id: 'model.endpoint',
      status: 'warn',
      summary: `model endpoint ${shown} answered HTTP ${probe.status}: ${key ? `the key in ${model.api_key_env} was refused` : `it wants a key in ${model.api_key_env}`}`,
    });
  } else if (probe.status < 200 || probe.status >= 300) {
    checks.push({
      id: 'model.endpoint',
      status: 'warn',
      summary: `model endpoint ${shown} answered HTTP ${probe.status}`,
      detail: 'reachable, but not an OpenAI-compatible model list; base_url usually ends in /v1',
    });
  } else {
    const offered = modelIds(probe.body);
    const missingModel = model.model !== undefined && offered !== undefined && !offered.includes(model.model);
    checks.push(
      missingModel
        ? {
            id: 'model.endpoint',
            status: 'warn',
            summary: `model endpoint ${shown} is reachable but does not offer model "${model.model}"`,
            detail: `offered: ${offered.slice(0, 20).join(', ')}${offered.length > 20 ? ', ...' : ''}`,
          }
        : {
            id: 'model.endpoint',
            status: 'ok',
            summary: `model endpoint ${shown} is reachable (HTTP ${probe.status})`,
          },
    );
  }
  return checks;
}

/**
 * `GET <base_url>/models` as an OpenAI client would send it: the path appended, a query (Azure's api-version)
 * kept, the key as a bearer token. Credentials written into the URL go into a Basic header instead (fetch
 * refuses URLs that carry them, and would print them in its error).
 */
function modelsRequest(
  baseUrl: string,
  key: string | undefined,
): { url: URL; headers: Record<string, string> } {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/models`;
  const headers: Record<string, string> = {};
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  if (key) headers.authorization = `Bearer ${key}`;
  return { url, headers };
}

/** The ids of an OpenAI-style model list (`{data: [{id}]}`), or undefined when the body is not one. */
function modelIds(body: string): string[] | undefined {
  try {
    const data = (JSON.parse(body) as { data?: unknown }).data;
    if (!Array.isArray(data)) return undefined;
    return data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
  } catch {
    return undefined;
  }
}

const WEBHOOKS = [
  ['wecom_webhook_env', 'WeCom'],
  ['slack_webhook_env', 'Slack'],
  ['webhook_url_env', 'webhook'],
] as const;

/** Each webhook variable: set or not, and whether its host accepts a TCP connection. Nothing is posted. */
async function webhookChecks(
  config: OrchestratorConfig,
  options: OrchestratorCheckOptions,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const [key, channel] of WEBHOOKS) {
    const name = config.notify[key];
    if (name === undefined) continue;
    const value = options.env[name];
    const id = `env:${name}`;
    if (!value) {
      checks.push({ id, status: 'warn', summary: `${name} is not set: ${channel} notifications are off` });
      continue;
    }
    let url: URL;
    try {
      url = new URL(value);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(url.protocol);
    } catch {
      checks.push({ id, status: 'warn', summary: `${name} is set but is not an http(s) URL` });
      continue;
    }
    checks.push({ id, status: 'ok', summary: `${name} is set (${channel} notifications)` });
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const probe = await probeTcp(host, port, options.networkTimeoutMs);
    const proxy = proxyNote(options.env);
    checks.push(
      probe.ok
        ? {
            id: `webhook:${name}`,
            status: 'ok',
            summary: `${channel} webhook host ${url.host} accepts connections`,
          }
        : {
            id: `webhook:${name}`,
            status: 'warn',
            summary: `${channel} webhook host ${url.host} is unreachable: ${probe.reason}`,
            ...(proxy ? { detail: proxy } : {}),
          },
    );
  }
  return checks;
}

/** The probes connect directly; a user behind a proxy (seed 003 sets HTTPS_PROXY) should know. */
function proxyNote(env: NodeJS.ProcessEnv): string | undefined {
  const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].filter(
    (n) => env[n],
  );
  return names.length ? `this check connects directly; ${names[0]} is set and was not used` : undefined;
}

// --- control socket --------------------------------------------------------------------------------------------

/**
 * Is a supervisor running for this workspace, and can `fleet` reach it? `.fleetai/state/control.json` names the
 * socket of the running one; a socket or control file nobody answers on is stale (a supervisor that did not exit
 * cleanly) and is replaced by the next start.
 */
async function controlCheck(
  options: OrchestratorCheckOptions,
  loaded: LoadedOrchestratorConfig | undefined,
): Promise<DoctorCheck> {
  const id = 'control';
  const controlFile = path.join(options.paths.stateDir, 'control.json');
  let control;
  try {
    control = await readControlFile(controlFile);
  } catch (error) {
    return { id, status: 'warn', summary: `${controlFile} is damaged`, detail: describeError(error) };
  }
  const configured = loaded
    ? controlSocketPath(loaded.config, loaded.file, options.paths.stateDir)
    : path.join(options.paths.stateDir, 'control.sock');
  const socket = control?.socket ?? configured;
  const probe = await probeSocket(socket, options.networkTimeoutMs);
  if (control) {
    const who = `pid ${control.pid}, started ${control.started_at}`;
    if (probe.state === 'listening')
      return { id, status: 'ok', summary: `a supervisor is running (${who}), listening at ${socket}` };
    return {
      id,
      status: 'warn',
      summary: `stale control file: the supervisor of ${controlFile} (${who}) does not answer at ${socket}`,
      detail: `${probe.state === 'other' ? probe.reason : probe.state === 'refused' ? 'connection refused' : 'the socket is gone'}; ${pidAlive(control.pid) ? `process ${control.pid} still exists` : `process ${control.pid} is gone`}; the next supervisor start replaces the file`,
    };
  }
  switch (probe.state) {
    case 'absent':
      return { id, status: 'ok', summary: `no supervisor running (nothing at ${socket})` };
    case 'refused':
      return {
        id,
        status: 'warn',
        summary: `stale control socket ${socket}: nothing listens (left by a supervisor that did not exit cleanly)`,
        detail: 'the next supervisor start replaces it',
      };
    case 'listening':
      return {
        id,
        status: 'warn',
        summary: `something listens at ${socket} but ${controlFile} is missing: fleet commands cannot authenticate`,
      };
    default:
      return { id, status: 'warn', summary: `control socket ${socket}: ${probe.reason}` };
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
