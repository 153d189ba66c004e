import type { AgentProfile } from '../schemas/agentProfile';

/** Executables that are shells: an unknown command line that runs one of these is a "shell" pane. */
export const SHELL_EXECUTABLES: readonly string[] = [
  'bash',
  'sh',
  'zsh',
  'fish',
  'dash',
  'ksh',
  'mksh',
  'tcsh',
  'csh',
  'nu',
  'xonsh',
  'elvish',
  'pwsh',
  'powershell',
  'cmd',
];

/** What a command line runs once launchers and wrappers are looked through. */
export interface ResolvedCommand {
  /** The program's name: no folder, no extension, lower case (`C:\bin\Codex.EXE` -> `codex`). */
  name: string;
  /** Package names seen on the way (`npx @openai/codex`, `node .../node_modules/@openai/codex/bin/codex.js`). */
  packages: string[];
  /** The program's own arguments. */
  args: string[];
}

const EXTENSIONS = /\.(exe|cmd|bat|com|ps1|js|mjs|cjs|ts|py)$/i;

/** `/usr/local/bin/codex` -> `codex`; `C:\tools\Codex.CMD` -> `codex`; `codex.js` -> `codex`. */
export function executableName(token: string): string {
  const base = token.split(/[\\/]/).pop() ?? token;
  return base.replace(EXTENSIONS, '').toLowerCase();
}

/** Package launchers: `npx codex`, `bunx`, `pnpx`; `npm exec`, `pnpm dlx`, `yarn dlx`, `bun x` are mapped here. */
const RUNNERS = new Set(['npx', 'bunx', 'pnpx', 'uvx']);
const RUNNER_SUBCOMMANDS: Record<string, readonly string[]> = {
  npm: ['exec', 'x'],
  pnpm: ['dlx', 'exec'],
  yarn: ['dlx', 'exec'],
  bun: ['x'],
  pipx: ['run'],
  uv: ['run'],
};
/** Runner options that take a value; those naming a package are remembered. */
const RUNNER_VALUE_OPTIONS = new Set([
  '-p',
  '--package',
  '--from',
  '--spec',
  '--with',
  '--cache',
  '--registry',
  '--python',
]);
const RUNNER_PACKAGE_OPTIONS = new Set(['-p', '--package', '--from', '--spec']);

const SCRIPT_HOSTS = new Set(['node', 'nodejs', 'bun', 'deno', 'tsx', 'ts-node']);
const NODE_VALUE_OPTIONS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--inspect-port',
  '--title',
  '--env-file',
]);
/** Options after which there is no script file: the code comes inline. */
const NODE_INLINE = new Set(['-e', '--eval', '-p', '--print', '-c', '--check']);

/** Prefixes that run the rest of the line unchanged. */
const PASS_THROUGH = new Set([
  'sudo',
  'doas',
  'nohup',
  'time',
  'nice',
  'command',
  'exec',
  'stdbuf',
  'caffeinate',
]);
const PASS_THROUGH_VALUE_OPTIONS = new Set(['-u', '-g', '-n', '-C', '-h', '-p']);

const PYTHON = /^(python|python\d+(\.\d+)?|py|pypy\d*)$/;

/** The package named by a launcher argument: `@openai/codex@latest` -> `@openai/codex`, `aider-chat==0.86` -> `aider-chat`. */
function packageName(spec: string): string {
  const at = spec.indexOf('@', 1);
  const withoutVersion = at > 0 ? spec.slice(0, at) : spec;
  return withoutVersion.split(/[=<>~!]=?/)[0]?.toLowerCase() ?? withoutVersion.toLowerCase();
}

/** The program a package spec runs by default: `@openai/codex@1.0` -> `codex`. */
function packageBin(spec: string): string {
  return executableName(packageName(spec).split('/').pop() ?? spec);
}

/** The package a script path lies in: `.../node_modules/@openai/codex/bin/codex.js` -> `@openai/codex`. */
function packageOfPath(file: string): string | undefined {
  const parts = file.replace(/\\/g, '/').split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const first = parts[at + 1];
  if (!first) return undefined;
  const name = first.startsWith('@') && parts[at + 2] ? `${first}/${parts[at + 2]}` : first;
  return name.toLowerCase();
}

/**
 * Looks through launchers and wrappers to the program a command line really runs: `env FOO=1 claude`,
 * `npx -y @openai/codex`, `npm exec -- codex`, `node --no-warnings /x/codex.js`, `python -m aider`,
 * `sudo -u me codex`, `uvx --from aider-chat aider`.
 */
export function resolveCommand(command: string, args: readonly string[]): ResolvedCommand {
  const packages: string[] = [];
  let tokens = [command, ...args];
  for (let guard = 0; guard < 16; guard++) {
    const [head, ...rest] = tokens;
    if (head === undefined) break;
    const name = executableName(head);
    const subcommands = RUNNER_SUBCOMMANDS[name];
    let next: string[] | undefined;
    if (name === 'env') next = afterEnv(rest);
    else if (RUNNERS.has(name)) next = afterRunner(rest, packages);
    else if (subcommands && rest[0] !== undefined && subcommands.includes(rest[0])) {
      next = afterRunner(rest.slice(1), packages);
    } else if (SCRIPT_HOSTS.has(name)) next = afterScriptHost(name, rest, packages);
    else if (PYTHON.test(name)) next = afterPython(rest);
    else if (PASS_THROUGH.has(name)) next = afterOptions(rest, PASS_THROUGH_VALUE_OPTIONS);
    if (next === undefined || next.length === 0) return { name, packages, args: rest };
    tokens = next;
  }
  const [head = '', ...rest] = tokens;
  return { name: executableName(head), packages, args: rest };
}

/** `NAME=value`, as `env` and shells take it before a command. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** `env [-i] [-u NAME] [-C DIR] [-S "cmd args"] [NAME=value]... cmd args`. */
function afterEnv(tokens: readonly string[]): string[] | undefined {
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] ?? '';
    if (token === '--') return tokens.slice(i + 1);
    if (token === '-S' || token === '--split-string') {
      return afterEnv([...splitCommandLine(tokens[i + 1] ?? ''), ...tokens.slice(i + 2)]);
    }
    if (token.startsWith('--split-string=')) {
      return afterEnv([...splitCommandLine(token.slice('--split-string='.length)), ...tokens.slice(i + 1)]);
    }
    if (token === '-u' || token === '--unset' || token === '-C' || token === '--chdir') i += 2;
    else if (token.startsWith('-') || ASSIGNMENT.test(token)) i += 1;
    else return tokens.slice(i);
  }
  return undefined;
}

/** `npx [-y] [-p pkg] [--] pkg-or-bin args`; the first non-option is the program, or the package that provides it. */
function afterRunner(tokens: readonly string[], packages: string[]): string[] | undefined {
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] ?? '';
    if (token === '--') {
      i += 1;
      break;
    }
    if (!token.startsWith('-')) break;
    const [option = '', inline] = token.split(/=(.*)/s, 2);
    if (inline !== undefined) {
      if (RUNNER_PACKAGE_OPTIONS.has(option)) packages.push(packageName(inline));
      i += 1;
    } else if (RUNNER_VALUE_OPTIONS.has(option)) {
      const value = tokens[i + 1];
      if (value !== undefined && RUNNER_PACKAGE_OPTIONS.has(option)) packages.push(packageName(value));
      i += 2;
    } else i += 1;
  }
  const target = tokens[i];
  if (target === undefined) return undefined;
  if (/@|==/.test(target) && !/[\\/]/.test(target.replace(/^@[^/]+\//, ''))) {
    // A package spec (`@openai/codex`, `codex@latest`): it runs the package's binary of the same name.
    packages.push(packageName(target));
    return [packageBin(target), ...tokens.slice(i + 1)];
  }
  if (!/[\\/]/.test(target)) packages.push(packageName(target));
  return tokens.slice(i);
}

/** `node [options] script.js args` (also bun, deno run, tsx); inline code (`node -e`) has no script to look at. */
function afterScriptHost(host: string, tokens: readonly string[], packages: string[]): string[] | undefined {
  let rest = [...tokens];
  if ((host === 'deno' || host === 'bun') && rest[0] === 'run') rest = rest.slice(1);
  let i = 0;
  while (i < rest.length) {
    const token = rest[i] ?? '';
    if (token === '--') {
      i += 1;
      break;
    }
    if (!token.startsWith('-')) break;
    if (NODE_INLINE.has(token)) return undefined;
    i += NODE_VALUE_OPTIONS.has(token) ? 2 : 1;
  }
  const script = rest[i];
  if (script === undefined) return undefined;
  const pkg = packageOfPath(script);
  if (pkg) packages.push(pkg);
  return rest.slice(i);
}

/** `python [-u] -m aider args` -> `aider args`; `python script.py` -> `script.py`. */
function afterPython(tokens: readonly string[]): string[] | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (token === '-m') return tokens.slice(i + 1);
    if (token === '-c') return undefined;
    if (!token.startsWith('-')) return tokens.slice(i);
  }
  return undefined;
}

function afterOptions(tokens: readonly string[], valueOptions: ReadonlySet<string>): string[] | undefined {
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] ?? '';
    if (token === '--') return tokens.slice(i + 1);
    if (!token.startsWith('-')) return tokens.slice(i);
    i += valueOptions.has(token) ? 2 : 1;
  }
  return undefined;
}

/** `-c`, and `-c` bundled with other one-letter options (`-lc`, `-ic`). */
const POSIX_C_OPTION = /^-[A-Za-z]*c[A-Za-z]*$/;
const NON_POSIX_SHELLS = new Set(['cmd', 'pwsh', 'powershell']);

/** The command string a shell is asked to run: `bash -lc "codex --foo"`, `cmd /c codex`, `pwsh -Command codex`. */
function shellCommandString(shell: string, args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (shell === 'cmd' && /^\/[ck]$/i.test(arg)) return args.slice(i + 1).join(' ');
    if ((shell === 'pwsh' || shell === 'powershell') && /^-(c|command)$/i.test(arg)) return args[i + 1];
    if (POSIX_C_OPTION.test(arg) && !NON_POSIX_SHELLS.has(shell)) return args[i + 1];
    if (!arg.startsWith('-') && !arg.startsWith('/')) return undefined;
  }
  return undefined;
}

/**
 * Splits a command line the way a POSIX shell splits words: whitespace separates, single quotes keep text as
 * is, double quotes keep spaces, a backslash escapes the next character (outside single quotes).
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] ?? '')) word += line[++i];
      else word += ch;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '\\' && i + 1 < line.length) word += line[++i];
      else word += ch;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function profileFor(
  resolved: ResolvedCommand,
  profiles: ReadonlyMap<string, AgentProfile>,
): AgentProfile | undefined {
  for (const profile of profiles.values()) {
    if (profile.detect.executables.some((exe) => executableName(exe) === resolved.name)) return profile;
  }
  for (const profile of profiles.values()) {
    const wanted = profile.detect.packages?.map((p) => p.toLowerCase()) ?? [];
    if (resolved.packages.some((pkg) => wanted.includes(pkg))) return profile;
  }
  return undefined;
}

/**
 * The agent kind a command line starts: by the program's name against each profile's `detect.executables`
 * (looking through `env`, `npx`, `node script.js`, `python -m` and the like), then by package name against
 * `detect.packages`; a shell asked to run one command (`bash -lc "codex"`) counts as that command. Otherwise
 * "shell" for a shell, and undefined for anything else. Profiles are tried in map order; the first match wins.
 */
export function inferKind(
  command: string,
  args: readonly string[],
  profiles: ReadonlyMap<string, AgentProfile>,
): string | undefined {
  return infer(command, args, profiles, 0);
}

function infer(
  command: string,
  args: readonly string[],
  profiles: ReadonlyMap<string, AgentProfile>,
  depth: number,
): string | undefined {
  const resolved = resolveCommand(command, args);
  const profile = profileFor(resolved, profiles);
  const isShell = SHELL_EXECUTABLES.includes(resolved.name) || profile?.kind === 'shell';
  if (isShell && depth < 3) {
    const inner = shellCommandString(resolved.name, resolved.args);
    const words = inner === undefined ? [] : splitCommandLine(inner);
    while (words[0] !== undefined && ASSIGNMENT.test(words[0])) words.shift();
    const [innerCommand, ...innerArgs] = words;
    if (innerCommand !== undefined) {
      const kind = infer(innerCommand, innerArgs, profiles, depth + 1);
      if (kind !== undefined && kind !== 'shell') return kind;
    }
  }
  if (profile) return profile.kind;
  return isShell ? 'shell' : undefined;
}
