import * as os from 'node:os';
import * as path from 'node:path';
import {
  credentialPathOf,
  displayPath,
  isHarmlessDevice,
  isInside,
  isSameOrAncestor,
  protectedInWorkspace,
  resolveWord,
  writableRootPaths,
  type PathScope,
} from './commandPaths';
import { maxRisk, type Risk } from './risk';
import {
  longestAllow,
  matchesPrefix,
  normalizeAllow,
  prefixTokens,
  type PrefixRule,
  type RiskRules,
} from './riskRules';
import {
  SHELLS,
  commandName,
  parseShell,
  unwrapCommand,
  type Redirection,
  type ShellWord,
  type SimpleCommand,
  type Substitution,
} from './shellCommand';

export interface ClassifyOptions {
  /** Paths are judged against this folder; relative paths resolve against `cwd`, which defaults to it. */
  workspaceRoot: string;
  cwd?: string;
  /** What `~` means (defaults to the user's home). */
  homeDir?: string;
}

export interface RuleMatch {
  list: 'allow' | 'deny';
  prefix: string;
}

export interface SubcommandRisk {
  /** The sub-command as written (for nested code: as the inner shell reads it). */
  text: string;
  risk: Risk;
  reasons: string[];
  /** The rule that decided: a deny match whenever there is one (deny wins), else the longest allow match. */
  matched?: RuleMatch;
}

export interface CommandClassification {
  command: string;
  /** The highest risk of any sub-command (low for a line that runs nothing). */
  risk: Risk;
  /** Why, for people: every sub-command's reasons, without repeats. */
  reasons: string[];
  subcommands: SubcommandRisk[];
  /** Some sub-command matched the deny list. */
  denied: boolean;
}

const NOT_ALLOWED = 'not on the allow list: ';

/** Deeper nesting than this (`sh -c "sh -c '…'"`, substitutions in substitutions) is not read: high risk. */
const MAX_DEPTH = 8;

/**
 * Splits `command` into the sub-commands it runs (through `&&`, pipes, `sh -c`, substitutions, `sudo` and the
 * other wrappers) and rates each: deny rules win over allow rules, the longest allow prefix decides, unknown
 * commands are medium, and built-in checks raise what no allow rule may lower. The overall risk is the max.
 */
export function classifyCommand(
  command: string,
  rules: RiskRules,
  options: ClassifyOptions,
): CommandClassification {
  const workspaceRoot = path.resolve(options.workspaceRoot);
  const scope: PathScope = {
    workspaceRoot,
    home: path.resolve(options.homeDir ?? os.homedir()),
    cwds: [path.resolve(workspaceRoot, options.cwd ?? '.')],
    writableRoots: rules.writableRoots,
  };
  const analysis = new Analysis(rules, scope);
  analysis.script(command, 0);
  const subcommands = analysis.subcommands;
  for (const sub of subcommands) {
    // "Not on the allow list" explains a medium; beside a stronger reason it is noise.
    if (sub.risk !== 'medium') sub.reasons = sub.reasons.filter((r) => !r.startsWith(NOT_ALLOWED));
  }
  const reasons: string[] = [];
  for (const sub of subcommands)
    for (const reason of sub.reasons) if (!reasons.includes(reason)) reasons.push(reason);
  return {
    command,
    risk: maxRisk(...subcommands.map((s) => s.risk)),
    reasons,
    subcommands,
    denied: subcommands.some((s) => s.matched?.list === 'deny'),
  };
}

interface CommandInfo {
  entry: SubcommandRisk;
  command: SimpleCommand;
  /** The program that finally runs, after wrappers; '' when none. */
  name: string;
  args: ShellWord[];
}

const ROOT_WRAPPERS = new Set(['sudo', 'doas', 'su', 'pkexec', 'run0']);
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'xh', 'lwp-request']);
const INTERPRETERS = new Set([
  ...SHELLS,
  'python',
  'python2',
  'python3',
  'perl',
  'ruby',
  'node',
  'nodejs',
  'deno',
  'bun',
  'php',
  'pwsh',
  'powershell',
  'source',
  '.',
]);
const SQL_CLIENTS = new Set([
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'sqlcmd',
  'clickhouse-client',
  'cockroach',
]);
const SQL_DESTRUCTIVE = /\b(drop\s+(table|database|schema)|truncate\s+(table\s+)?\w)/i;

/** Variables that change which program runs or what it loads: setting them turns a safe command into any. */
const DANGEROUS_VARIABLES = new Set([
  'PATH',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'BASH_ENV',
  'ENV',
  'PROMPT_COMMAND',
  'IFS',
  'SHELLOPTS',
  'PS4',
  'NODE_OPTIONS',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'PERL5LIB',
  'PERL5OPT',
  'RUBYLIB',
  'RUBYOPT',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'PAGER',
  'EDITOR',
  'VISUAL',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_EXTERNAL_DIFF',
  'GIT_PAGER',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_EXEC_PATH',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_PROXY_COMMAND',
  'GIT_TEMPLATE_DIR',
]);

class Analysis {
  readonly subcommands: SubcommandRisk[] = [];
  private readonly allow: PrefixRule[];
  private readonly deny: { prefix: string; tokens: string[] }[];
  private readonly writable: string[];

  constructor(
    rules: RiskRules,
    private readonly scope: PathScope,
  ) {
    this.allow = normalizeAllow(rules.allow);
    this.deny = rules.deny.map((prefix) => ({ prefix: prefix.trim(), tokens: prefixTokens(prefix) }));
    this.writable = writableRootPaths(scope);
  }

  /** Rates every command of a piece of shell code; returns the highest risk found in it. */
  script(text: string, depth: number): Risk {
    if (depth > MAX_DEPTH) {
      return this.add(text, 'high', 'nested too deeply to check').risk;
    }
    const parsed = parseShell(text);
    let risk: Risk = 'low';
    if (parsed.problems.length > 0) {
      const entry = this.add(
        text.trim(),
        'high',
        `cannot be read with certainty (${parsed.problems.join('; ')})`,
      );
      risk = entry.risk;
    }
    const infos: CommandInfo[] = [];
    for (const command of parsed.commands) {
      const info = this.command(command, depth);
      infos.push(info);
    }
    this.forkBombs(infos);
    this.pipelines(infos);
    for (const info of infos) risk = maxRisk(risk, info.entry.risk);
    return risk;
  }

  private add(text: string, risk: Risk, reason: string): SubcommandRisk {
    const entry: SubcommandRisk = { text, risk, reasons: [reason] };
    this.subcommands.push(entry);
    return entry;
  }

  private command(command: SimpleCommand, depth: number): CommandInfo {
    const entry: SubcommandRisk = { text: command.text, risk: 'low', reasons: [] };
    this.subcommands.push(entry);
    const info: CommandInfo = { entry, command, name: '', args: [] };

    if (command.definesFunction !== undefined) {
      raise(entry, 'medium', `defines the shell function ${command.definesFunction}`);
      return info;
    }
    for (const substitution of command.substitutions) {
      raise(entry, 'high', describeSubstitution(substitution));
      raise(entry, this.script(substitution.body, depth + 1));
    }
    for (const assignment of command.assignments) this.assignment(entry, assignment);
    for (const redirection of command.redirections) this.redirection(entry, redirection);
    if (command.words.length === 0) return info;

    const first = command.words[0]!;
    if (first.expands) raise(entry, 'high', `the program to run is built at run time (${first.raw})`);
    const unwrapped = unwrapCommand(command.words);
    for (const assignment of unwrapped.assignments) this.assignment(entry, assignment);
    for (const wrapper of unwrapped.wrappers) {
      if (ROOT_WRAPPERS.has(wrapper.name)) raise(entry, 'high', `runs as root (${wrapper.name})`);
    }
    const layers = [command.words, ...unwrapped.wrappers.map((w) => w.words), unwrapped.words];
    const denied = this.denyMatch(layers);

    if (unwrapped.script) {
      const { via, dynamic, text } = unwrapped.script;
      if (dynamic) raise(entry, 'high', `the code given to ${via} is built at run time`);
      // `xargs sh -c 'rm -rf {}'`: xargs fills the code in from its input.
      if (unwrapped.argsFromStdin) raise(entry, 'high', `xargs fills in the code given to ${via}`);
      if (via === 'eval') raise(entry, 'medium', 'eval runs text as shell code');
      if (command.substitutions.some((s) => this.downloads(s.body))) {
        raise(entry, 'critical', `runs code downloaded from the network (${via})`);
      }
      raise(entry, this.script(text, depth + 1));
    } else if (unwrapped.words.length === 0) {
      const wrapper = unwrapped.wrappers.at(-1)?.name ?? commandName(first);
      if (!ROOT_WRAPPERS.has(wrapper)) raise(entry, 'medium', `${wrapper} with nothing to run`);
      else raise(entry, 'high', `opens a root shell (${wrapper})`);
    } else {
      const words = unwrapped.words;
      const name = commandName(words[0]);
      info.name = name;
      info.args = words.slice(1);
      const allowed = words[0]!.expands
        ? undefined
        : longestAllow(
            words.map((w) => w.value),
            this.allow,
          );
      if (allowed) {
        entry.matched = { list: 'allow', prefix: allowed.prefix };
        if (allowed.risk !== 'low')
          raise(entry, allowed.risk, `rated ${allowed.risk} by the rule "${allowed.prefix}"`);
      } else {
        raise(entry, 'medium', `${NOT_ALLOWED}${words[0]!.value}`);
      }
      this.builtins(entry, name, words.slice(1), command, unwrapped.argsFromStdin, depth);
      this.scriptOnStdin(entry, name, words.slice(1), command, depth);
    }
    if (denied) {
      entry.matched = { list: 'deny', prefix: denied };
      raise(entry, 'high', `matches the deny rule "${denied}"`);
    }
    return info;
  }

  /** `bash <<EOF … EOF` and `sh <<< "…"` run their input as code: judge it like `sh -c`. */
  private scriptOnStdin(
    entry: SubcommandRisk,
    name: string,
    args: ShellWord[],
    command: SimpleCommand,
    depth: number,
  ): void {
    if (!INTERPRETERS.has(name) || !readsScriptFromStdin(name, args)) return;
    for (const redirection of command.redirections) {
      const code =
        redirection.heredoc?.body ?? (redirection.op === '<<<' ? redirection.target.value : undefined);
      if (code === undefined) continue;
      if (SHELLS.has(name)) {
        if (redirection.op === '<<<' && redirection.target.expands) {
          raise(entry, 'high', `the code given to ${name} is built at run time`);
        }
        raise(entry, this.script(code, depth + 1));
      } else {
        raise(entry, 'medium', `${name} runs code from its input`);
      }
    }
  }

  /** The longest deny prefix matching any layer (`sudo rm -rf x` and `rm -rf x`), by program name. */
  private denyMatch(layers: ShellWord[][]): string | undefined {
    let best: { prefix: string; tokens: string[] } | undefined;
    for (const layer of layers) {
      if (layer.length === 0) continue;
      const values = [commandName(layer[0]), ...layer.slice(1).map((w) => w.value)];
      const raw = layer.map((w) => w.value);
      for (const rule of this.deny) {
        if (!matchesPrefix(values, rule.tokens) && !matchesPrefix(raw, rule.tokens)) continue;
        if (!best || rule.tokens.length > best.tokens.length) best = rule;
      }
    }
    return best?.prefix;
  }

  private assignment(entry: SubcommandRisk, word: ShellWord): void {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(word.raw)?.[0] ?? '';
    if (DANGEROUS_VARIABLES.has(name) || /^(DYLD_|GIT_CONFIG_(KEY|VALUE)_)/.test(name)) {
      raise(entry, 'high', `sets ${name}, which changes what programs run`);
    }
  }

  private redirection(entry: SubcommandRisk, redirection: Redirection): void {
    const { op, target } = redirection;
    if (op === '<<' || op === '<<-' || op === '<<<') return;
    if ((op === '>&' || op === '<&') && /^(\d+-?|-)$/.test(target.value)) return;
    if (op === '<' || op === '<&') {
      this.credentialRead(entry, target);
      return;
    }
    this.write(entry, target, `redirection ${redirection.fd ?? ''}${op}`);
  }

  /** Rates writing to the file a word names. */
  private write(entry: SubcommandRisk, target: ShellWord, what: string): void {
    const resolved = resolveWord(target, this.scope);
    if (!resolved.known) {
      raise(entry, 'high', `${what} writes to a path ${resolved.why}`);
      return;
    }
    for (const file of resolved.paths) {
      if (isHarmlessDevice(file)) continue;
      const shown = displayPath(file, this.scope);
      if (credentialPathOf(file, this.scope.home) === '~/.ssh') {
        raise(entry, 'high', `${what} writes to ~/.ssh`);
      } else if (isInside(file, this.scope.workspaceRoot)) {
        const guarded = protectedInWorkspace(file, this.scope.workspaceRoot);
        if (guarded)
          raise(entry, 'high', `${what} changes ${guarded}, which runs programs or steers FleetAI`);
      } else if (!this.writable.some((root) => isInside(file, root))) {
        raise(entry, 'high', `${what} writes outside the workspace (${shown})`);
      }
    }
  }

  private credentialRead(entry: SubcommandRisk, word: ShellWord): void {
    const resolved = resolveWord(word, this.scope);
    if (!resolved.known) return;
    for (const file of resolved.paths) {
      const credential = credentialPathOf(file, this.scope.home);
      if (credential) raise(entry, 'medium', `reads credentials (${credential})`);
    }
  }

  private builtins(
    entry: SubcommandRisk,
    name: string,
    args: ShellWord[],
    command: SimpleCommand,
    argsFromStdin: boolean,
    depth: number,
  ): void {
    const values = args.map((a) => a.value);
    for (const arg of args) if (!arg.value.startsWith('-')) this.credentialRead(entry, arg);
    for (let k = 0; k < args.length; k++) {
      const v = values[k]!;
      if (v.startsWith('--output=')) {
        this.write(
          entry,
          { ...args[k]!, value: v.slice('--output='.length), tilde: v.startsWith('--output=~') },
          `${name} --output`,
        );
      } else if (v === '--output' && args[k + 1]) {
        this.write(entry, args[k + 1]!, `${name} --output`);
      }
    }

    switch (name) {
      case 'rm':
      case 'unlink':
      case 'rmdir':
      case 'shred':
        this.remove(entry, name, args, argsFromStdin);
        break;
      case 'git':
        gitRisk(entry, args);
        break;
      case 'find':
        this.find(entry, args, depth);
        break;
      case 'chmod':
      case 'chown':
      case 'chgrp': {
        const operands = operandsOf(args);
        const recursive = args.some((a) => /^-[a-zA-Z]*R/.test(a.value) || a.value === '--recursive');
        if (name === 'chmod' && recursive && operands[0] && worldWritable(operands[0].value)) {
          raise(entry, 'high', `chmod -R ${operands[0].value} makes files writable by everyone`);
        }
        for (const target of operands.slice(1)) this.write(entry, target, name);
        break;
      }
      case 'dd': {
        raise(entry, 'high', 'dd writes raw bytes');
        const of = args.find((a) => a.value.startsWith('of='));
        if (of) {
          const file = of.value.slice(3);
          if (/^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|loop|md|dm-)/.test(file)) {
            raise(entry, 'critical', `dd overwrites the disk device ${file}`);
          } else {
            this.write(entry, { ...of, value: file, tilde: file.startsWith('~') }, 'dd');
          }
        }
        break;
      }
      case 'mke2fs':
      case 'mkswap':
      case 'wipefs':
        raise(entry, 'critical', `${name} formats or wipes a disk`);
        break;
      case 'fdisk':
      case 'sfdisk':
      case 'cfdisk':
      case 'gdisk':
      case 'parted':
        raise(entry, 'high', `${name} changes a disk's partitions`);
        break;
      case 'shutdown':
      case 'reboot':
      case 'halt':
      case 'poweroff':
        raise(entry, 'high', `${name} stops the machine`);
        break;
      case 'init':
      case 'telinit':
        if (values.some((v) => v === '0' || v === '6'))
          raise(entry, 'high', `${name} ${values.join(' ')} stops the machine`);
        break;
      case 'systemctl':
        if (values.some((v) => ['poweroff', 'reboot', 'halt', 'kexec', 'suspend', 'hibernate'].includes(v))) {
          raise(entry, 'high', 'systemctl stops the machine');
        }
        break;
      case 'ssh-keygen': {
        const fileIndex = values.indexOf('-f');
        const file = fileIndex === -1 ? undefined : args[fileIndex + 1];
        if (file) this.write(entry, file, 'ssh-keygen');
        else if (!values.some((v) => ['-l', '-F', '-R', '-y', '-Y', '-Q'].includes(v)))
          raise(entry, 'high', 'ssh-keygen writes to ~/.ssh');
        break;
      }
      case 'tee':
      case 'touch':
      case 'mkdir':
      case 'truncate':
        for (const target of operandsOf(args)) this.write(entry, target, name);
        break;
      case 'mv':
        for (const target of operandsOf(args)) this.write(entry, target, name);
        break;
      case 'cp':
      case 'ln':
      case 'install':
      case 'rsync':
      case 'scp': {
        const targetDir = args.findIndex((a) => a.value === '-t' || a.value === '--target-directory');
        const operands = operandsOf(args);
        const destination =
          targetDir !== -1 ? args[targetDir + 1] : operands.length >= 2 ? operands.at(-1) : undefined;
        if (destination && !((name === 'rsync' || name === 'scp') && /^[^/]*:/.test(destination.value))) {
          this.write(entry, destination, name);
        }
        break;
      }
      case 'sed':
      case 'perl':
        if (args.some((a) => /^-[a-zA-Z]*i/.test(a.value) || a.value.startsWith('--in-place'))) {
          const operands = operandsOf(args);
          const scripted = args.some(
            (a) => a.value === '-e' || a.value === '-f' || a.value === '--expression',
          );
          for (const target of scripted ? operands : operands.slice(1))
            this.write(entry, target, `${name} -i`);
        }
        break;
      case 'curl':
      case 'wget': {
        for (let k = 0; k < args.length; k++) {
          const v = values[k]!;
          if (['-o', '-O', '--output', '--output-document'].includes(v) && args[k + 1]) {
            if (!(name === 'curl' && v === '-O') && args[k + 1]!.value !== '-')
              this.write(entry, args[k + 1]!, name);
          }
        }
        break;
      }
      case 'rg':
        if (values.some((v) => v === '--pre' || v.startsWith('--pre=')))
          raise(entry, 'medium', 'rg --pre runs a program on each file');
        break;
      case 'sort':
        if (values.some((v) => v.startsWith('--compress-program')))
          raise(entry, 'medium', 'sort --compress-program runs a program');
        break;
      case 'cd':
      case 'pushd':
        this.changeDirectory(args);
        break;
      case 'export':
      case 'declare':
      case 'typeset':
      case 'readonly':
      case 'local':
        for (const arg of args) this.assignment(entry, arg);
        break;
      case 'kubectl':
        if (values.includes('delete')) raise(entry, 'high', 'kubectl delete removes cluster resources');
        break;
      case 'helm':
        if (values.includes('uninstall') || values.includes('delete'))
          raise(entry, 'high', 'helm uninstall removes a release');
        break;
      case 'terraform':
      case 'tofu':
      case 'terragrunt':
      case 'pulumi': {
        const action = values.find((v) => ['apply', 'destroy', 'up'].includes(v));
        if (action) raise(entry, 'high', `${name} ${action} changes real infrastructure`);
        break;
      }
      default:
        break;
    }
    if (name.startsWith('mkfs')) raise(entry, 'critical', `${name} formats a disk`);
    const published = publishes(name, values);
    if (published) raise(entry, 'high', `publishes a package (${published})`);
    if (SQL_CLIENTS.has(name)) {
      const texts = [
        ...values,
        ...command.redirections.map((r) => r.heredoc?.body ?? (r.op === '<<<' ? r.target.value : '')),
      ];
      if (texts.some((t) => SQL_DESTRUCTIVE.test(t)))
        raise(entry, 'high', `${name} drops or truncates a table`);
    }
    if (INTERPRETERS.has(name) && command.substitutions.some((s) => this.downloads(s.body))) {
      raise(entry, 'critical', `${name} runs code downloaded from the network`);
    }
  }

  private remove(entry: SubcommandRisk, name: string, args: ShellWord[], argsFromStdin: boolean): void {
    let recursive = false;
    const targets: ShellWord[] = [];
    let options = true;
    for (const arg of args) {
      const v = arg.value;
      if (options && v === '--') options = false;
      else if (options && v.startsWith('-') && v !== '-') {
        if (v === '--recursive' || (!v.startsWith('--') && /[rR]/.test(v))) recursive = true;
      } else targets.push(arg);
    }
    const what = recursive ? `${name} -r` : name;
    if (argsFromStdin) {
      raise(entry, recursive ? 'high' : 'medium', `${what} of files read from standard input (xargs)`);
    }
    for (const target of targets) this.removeTarget(entry, what, target, recursive);
  }

  private removeTarget(entry: SubcommandRisk, what: string, target: ShellWord, recursive: boolean): void {
    const severe: Risk = recursive ? 'critical' : 'high';
    const resolved = resolveWord(target, this.scope);
    if (!resolved.known) {
      raise(entry, severe, `${what} of a path ${resolved.why}`);
      return;
    }
    const bareGlob = target.glob && /(^|\/)\.?\*+(\.\*)?$/.test(target.value);
    for (const file of resolved.paths) {
      const shown = displayPath(file, this.scope);
      const root = this.scope.workspaceRoot;
      if (target.glob) {
        // A glob deletes what is inside the folder it searches.
        if (!isInside(file, root)) {
          raise(entry, severe, `${what} outside the workspace (${target.raw})`);
        } else if (bareGlob && file === root) {
          raise(entry, 'critical', `${what} ${target.raw} deletes everything in the workspace`);
        }
        continue;
      }
      if (isSameOrAncestor(file, root)) {
        const which = file === root ? 'the whole workspace' : file === '/' ? '/' : shown;
        raise(entry, recursive ? 'critical' : 'high', `${what} of ${which}`);
      } else if (!isInside(file, root)) {
        if (this.writable.some((w) => isInside(file, w) && file !== w)) continue;
        raise(entry, severe, `${what} outside the workspace (${shown})`);
      } else {
        const guarded =
          protectedInWorkspace(file, root) ?? (isInside(file, path.join(root, '.git')) ? '.git' : undefined);
        if (guarded) raise(entry, 'high', `${what} of ${guarded}`);
      }
    }
  }

  private find(entry: SubcommandRisk, args: ShellWord[], depth: number): void {
    const firstExpression = args.findIndex((a) => /^[-(!]/.test(a.value) && a.value !== '-');
    const roots = (firstExpression === -1 ? args : args.slice(0, firstExpression)).filter(
      (a) => !['-H', '-L', '-P'].includes(a.value),
    );
    const rootWords = roots.length > 0 ? roots : [plainWord('.')];
    for (let k = 0; k < args.length; k++) {
      const v = args[k]!.value;
      if (v === '-delete') {
        raise(entry, 'medium', 'find -delete removes files');
        for (const root of rootWords) {
          const resolved = resolveWord(root, this.scope);
          if (!resolved.known || resolved.paths.some((p) => !isInside(p, this.scope.workspaceRoot))) {
            raise(entry, 'critical', `find -delete outside the workspace (${root.raw})`);
          }
        }
      } else if (['-exec', '-execdir', '-ok', '-okdir'].includes(v)) {
        raise(entry, 'medium', `find ${v} runs a program on each file`);
        const end = args.findIndex((a, i) => i > k && (a.value === ';' || a.value === '+'));
        const inner = args.slice(k + 1, end === -1 ? undefined : end);
        // Each `{}` stands for what find found under its roots: judge the roots in its place.
        const words = inner.flatMap((w) => (w.value === '{}' ? rootWords : [w]));
        if (words.length > 0) {
          const text = words.map((w) => w.raw).join(' ');
          const info = this.command(syntheticCommand(text, words), depth + 1);
          raise(entry, info.entry.risk);
        }
        if (end !== -1) k = end;
      } else if (['-fprint', '-fprint0', '-fprintf', '-fls'].includes(v) && args[k + 1]) {
        this.write(entry, args[k + 1]!, `find ${v}`);
      }
    }
  }

  private changeDirectory(args: ShellWord[]): void {
    const target = args.find((a) => !a.value.startsWith('-') || a.value === '-');
    const next: (string | undefined)[] = [];
    if (!target) next.push(this.scope.home);
    else if (target.value === '-') next.push(undefined);
    else {
      const resolved = resolveWord(target, this.scope);
      if (resolved.known) next.push(...resolved.paths);
      else next.push(undefined);
    }
    for (const cwd of next) if (!this.scope.cwds.includes(cwd)) this.scope.cwds.push(cwd);
  }

  private downloads(body: string): boolean {
    return parseShell(body).commands.some((c) =>
      DOWNLOADERS.has(commandName(unwrapCommand(c.words).words[0])),
    );
  }

  /** A function whose body calls itself, like `:(){ :|:& };:`, multiplies processes until the machine stops. */
  private forkBombs(infos: CommandInfo[]): void {
    for (const info of infos) {
      const name = info.command.definesFunction;
      if (name === undefined) continue;
      const recursive = infos.some(
        (other) => other.command.inFunction === name && commandName(other.command.words[0]) === name,
      );
      if (recursive) raise(info.entry, 'critical', `the function ${name} calls itself (a fork bomb)`);
    }
  }

  private pipelines(infos: CommandInfo[]): void {
    const byPipeline = new Map<number, CommandInfo[]>();
    for (const info of infos) {
      const list = byPipeline.get(info.command.pipeline) ?? [];
      list.push(info);
      byPipeline.set(info.command.pipeline, list);
    }
    for (const stages of byPipeline.values()) {
      for (let j = 1; j < stages.length; j++) {
        const stage = stages[j]!;
        const before = stages.slice(0, j);
        if (INTERPRETERS.has(stage.name) && readsScriptFromStdin(stage.name, stage.args)) {
          const downloader = before.find((b) => DOWNLOADERS.has(b.name));
          if (downloader) {
            raise(stage.entry, 'critical', `pipes what ${downloader.name} downloads into ${stage.name}`);
          } else {
            raise(stage.entry, 'high', `runs code that arrives through a pipe (${stage.name})`);
          }
        }
        if (SQL_CLIENTS.has(stage.name)) {
          const text = before.flatMap((b) => b.command.words.map((w) => w.value)).join(' ');
          if (SQL_DESTRUCTIVE.test(text))
            raise(stage.entry, 'high', `${stage.name} drops or truncates a table`);
        }
      }
    }
  }
}

function raise(entry: SubcommandRisk, risk: Risk, reason?: string): void {
  entry.risk = maxRisk(entry.risk, risk);
  if (reason !== undefined && !entry.reasons.includes(reason)) entry.reasons.push(reason);
}

function describeSubstitution(substitution: Substitution): string {
  const body = substitution.body.trim();
  const shown = body.length > 60 ? `${body.slice(0, 57)}...` : body;
  switch (substitution.kind) {
    case 'command':
      return `runs a command substitution $(${shown})`;
    case 'backtick':
      return `runs a command substitution \`${shown}\``;
    case 'process':
      return `runs a process substitution (${shown})`;
  }
}

function plainWord(value: string): ShellWord {
  return { raw: value, value, quoted: false, expands: false, glob: false, tilde: false, substitutions: [] };
}

function syntheticCommand(text: string, words: ShellWord[]): SimpleCommand {
  return {
    text,
    assignments: [],
    words,
    redirections: [],
    substitutions: [],
    pipeline: -1,
    stage: 0,
    background: false,
  };
}

/** Non-option arguments (everything after `--` counts). */
function operandsOf(args: ShellWord[]): ShellWord[] {
  const dash = args.findIndex((a) => a.value === '--');
  const before = dash === -1 ? args : args.slice(0, dash);
  const after = dash === -1 ? [] : args.slice(dash + 1);
  return [...before.filter((a) => !a.value.startsWith('-') || a.value === '-'), ...after];
}

function worldWritable(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) return (Number(mode.at(-1)) & 2) !== 0;
  return mode
    .split(',')
    .some((clause) => /^[ugoa]*[+=][rwxXst]*w/.test(clause) && /^(a|[ugo]*o|[+=])/.test(clause));
}

function readsScriptFromStdin(name: string, args: ShellWord[]): boolean {
  if (name === 'source' || name === '.') return args[0]?.value === '/dev/stdin' || args[0]?.value === '-';
  const operands = args.filter((a) => !a.value.startsWith('-') || a.value === '-');
  if (args.some((a) => a.value === '-s')) return true;
  return operands.length === 0 || operands[0]!.value === '-' || operands[0]!.value === '/dev/stdin';
}

const GIT_OPTIONS_WITH_VALUE = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--config-env',
  '--exec-path',
]);

/** Git settings whose value is a program git runs (pager, ssh, hooks, aliases with `!`, filters, ...). */
const GIT_CONFIG_THAT_RUNS =
  /^(core\.(pager|editor|sshcommand|fsmonitor|hookspath|askpass|gitproxy)|alias\.|pager\.|diff\..*\.(command|textconv)|merge\..*\.driver|filter\.|credential\.|gpg\.|sequence\.editor|uploadpack\.|protocol\.|remote\..*\.(uploadpack|receivepack)|include)/;

function gitRisk(entry: SubcommandRisk, args: ShellWord[]): void {
  let k = 0;
  while (k < args.length && args[k]!.value.startsWith('-')) {
    const option = args[k]!.value;
    if (option === '-c' || option === '--config-env') {
      const key = (args[k + 1]?.value ?? '').split('=')[0]!.toLowerCase();
      if (GIT_CONFIG_THAT_RUNS.test(key)) raise(entry, 'high', `git -c ${key} runs a program`);
    }
    if (option === '--exec-path' || option.startsWith('--exec-path='))
      raise(entry, 'high', 'git --exec-path runs other programs');
    k += GIT_OPTIONS_WITH_VALUE.has(option) ? 2 : 1;
  }
  const sub = args[k]?.value;
  const rest = args.slice(k + 1).map((a) => a.value);
  const shortFlags = (letter: string): boolean =>
    rest.some((v) => /^-[a-zA-Z]+$/.test(v) && v.includes(letter));
  switch (sub) {
    case 'push':
      if (
        shortFlags('f') ||
        rest.some(
          (v) => v === '--force' || v.startsWith('--force-with-lease') || v === '--force-if-includes',
        ) ||
        rest.some((v) => /^\+/.test(v))
      ) {
        raise(entry, 'high', 'git push --force rewrites the remote branch');
      }
      if (shortFlags('d') || rest.includes('--delete') || rest.some((v) => /^:./.test(v))) {
        raise(entry, 'high', 'git push --delete removes a remote branch');
      }
      if (rest.includes('--mirror')) raise(entry, 'high', 'git push --mirror overwrites the remote');
      break;
    case 'reset':
      if (rest.includes('--hard')) raise(entry, 'high', 'git reset --hard discards uncommitted work');
      break;
    case 'clean':
      if ((shortFlags('f') || rest.includes('--force')) && !shortFlags('n') && !rest.includes('--dry-run')) {
        raise(entry, 'high', 'git clean -f deletes untracked files');
      }
      break;
    case 'filter-branch':
    case 'filter-repo':
      raise(entry, 'high', `git ${sub} rewrites history`);
      break;
    default:
      break;
  }
}

const PUBLISHERS = new Map<string, string[]>(
  Object.entries({
    npm: ['publish', 'unpublish'],
    pnpm: ['publish'],
    yarn: ['publish'],
    bun: ['publish'],
    npx: ['publish'],
    pnpx: ['publish'],
    bunx: ['publish'],
    cargo: ['publish'],
    twine: ['upload'],
    gem: ['push'],
    poetry: ['publish'],
    flit: ['publish'],
    hatch: ['publish'],
    vsce: ['publish'],
    ovsx: ['publish'],
    docker: ['push'],
    podman: ['push'],
    mvn: ['deploy'],
    gradle: ['publish'],
  }),
);

function publishes(name: string, values: string[]): string | undefined {
  // A Map, not an object: a command named `toString` must not find Object.prototype.toString.
  const triggers = PUBLISHERS.get(name);
  const hit = triggers?.find((t) => values.includes(t));
  if (hit) return `${name} ${hit}`;
  if (name === 'dotnet' && values.includes('nuget') && values.includes('push')) return 'dotnet nuget push';
  if (name === 'gh' && values[0] === 'release' && values[1] === 'create') return 'gh release create';
  return undefined;
}
