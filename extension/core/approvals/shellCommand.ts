/**
 * Splits a shell command line into the simple commands it runs, the way bash reads it, so that risk rules can
 * look at each one.
 *
 * Why not `shell-quote` (the well-kept parser most projects use): measured with shell-quote 1.12.0, it loses
 * exactly what a risk check needs. It drops newlines, so `echo hi⏎rm -rf /` comes back as ONE command
 * `echo hi rm -rf /`; it returns `'$(id)'` (literal text), `"$(id)"` and `\$(id)` (both of which differ) as the
 * same string; backticks stay inside a word unreported; `echo 2>f` and `echo 2 > f` are the same tokens; and it
 * has no notion of heredocs (whose body is data, except for its substitutions). So this is a small bash
 * tokenizer of our own: quotes, escapes, line continuations, `$'…'`, `$(…)`, backticks, `<(…)`/`>(…)`, `${…}`,
 * `$((…))`, comments, heredocs, redirections with their file descriptors, operators, reserved words and
 * function definitions. It never runs or expands anything; where it cannot be sure it says so in `problems`,
 * and the classifier treats that as risky (fail closed).
 */

export type SubstitutionKind = 'command' | 'backtick' | 'process';

/** Code that the shell runs to build a word: `$(…)`, `` `…` ``, `<(…)` / `>(…)`. */
export interface Substitution {
  kind: SubstitutionKind;
  /** The command text inside, as the inner shell will read it. */
  body: string;
}

export interface ShellWord {
  /** As written, quotes included. */
  raw: string;
  /** After quote removal; expansions are left as written (`$HOME` stays `$HOME`). */
  value: string;
  /** Some part was quoted or escaped. */
  quoted: boolean;
  /** Contains an expansion the shell fills in at run time (`$X`, `${X}`, `$((…))` or a substitution). */
  expands: boolean;
  /** Contains an unquoted glob character (`*`, `?`, `[`). */
  glob: boolean;
  /** Starts with an unquoted `~` (home directory). */
  tilde: boolean;
  substitutions: Substitution[];
}

export type RedirectOp = '>' | '>>' | '>|' | '<' | '<<' | '<<-' | '<<<' | '<>' | '>&' | '<&' | '&>' | '&>>';

export interface Redirection {
  op: RedirectOp;
  /** The file descriptor written before the operator (`2` in `2>`), if any. */
  fd?: string;
  /** The file (or, for `>&`/`<&`, a descriptor; for `<<`, the delimiter; for `<<<`, the string). */
  target: ShellWord;
  heredoc?: { body: string; quoted: boolean; substitutions: Substitution[] };
}

export interface SimpleCommand {
  /** The command's source text, trimmed. */
  text: string;
  /** `NAME=value` words before the command name. */
  assignments: ShellWord[];
  words: ShellWord[];
  redirections: Redirection[];
  /** Every substitution in the command's words, assignments, redirection targets and heredocs. */
  substitutions: Substitution[];
  /** Commands with the same number are one pipeline (`a | b`). */
  pipeline: number;
  /** Position in its pipeline, from 0. */
  stage: number;
  background: boolean;
  /** Set when this command sits in the body of a function defined in the same line. */
  inFunction?: string;
  /** Set when this "command" is the head of a function definition (`name() {` or `function name`). */
  definesFunction?: string;
}

export interface ParsedShell {
  commands: SimpleCommand[];
  /** Reasons the line could not be read with certainty (unterminated quote, unbalanced parenthesis, ...). */
  problems: string[];
}

type Token =
  | { kind: 'word'; word: ShellWord; start: number; end: number }
  | { kind: 'op'; op: string; start: number; end: number }
  | { kind: 'redir'; redir: Redirection; start: number; end: number };

const META = new Set([' ', '\t', '\r', '\n', ';', '&', '|', '<', '>', '(', ')']);
const OPERATORS = ['&&', '||', ';;&', ';;', ';&', '|&', ';', '|', '&', '(', ')'];
const REDIRECT_OPS: RedirectOp[] = ['&>>', '&>', '<<<', '<<-', '<<', '<>', '<&', '<', '>>', '>|', '>&', '>'];

export function parseShell(source: string): ParsedShell {
  const lexer = new Lexer(source);
  lexer.run();
  const commands = buildCommands(lexer.tokens, source);
  return { commands, problems: lexer.problems };
}

/** The substitutions inside text that the shell expands as if in double quotes (heredoc bodies, `${…}`). */
function substitutionsIn(text: string, problems: string[]): Substitution[] {
  const lexer = new Lexer(text);
  const word = emptyWord();
  lexer.readDoubleContent(word, false);
  problems.push(...lexer.problems);
  return word.substitutions;
}

function emptyWord(): ShellWord {
  return { raw: '', value: '', quoted: false, expands: false, glob: false, tilde: false, substitutions: [] };
}

class Lexer {
  i = 0;
  readonly tokens: Token[] = [];
  readonly problems: string[] = [];
  private heredocs: Redirection[] = [];

  constructor(private readonly s: string) {}

  run(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ' ' || c === '\t' || c === '\r') {
        this.i++;
      } else if (c === '\\' && s[this.i + 1] === '\n') {
        this.i += 2;
      } else if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === '\n') {
        this.tokens.push({ kind: 'op', op: '\n', start: this.i, end: this.i + 1 });
        this.i++;
        this.readHeredocBodies();
      } else if ((c === '<' || c === '>') && s[this.i + 1] === '(') {
        this.pushWord();
      } else if (!this.tryRedirect() && !this.tryOperator()) {
        this.pushWord();
      }
    }
    // bash runs a heredoc that reaches the end of input with what it has (and a warning); so do we.
    if (this.heredocs.length > 0) this.readHeredocBodies();
  }

  private pushWord(): void {
    const start = this.i;
    const word = this.readWord();
    this.tokens.push({ kind: 'word', word, start, end: this.i });
  }

  private tryOperator(): boolean {
    for (const op of OPERATORS) {
      if (this.s.startsWith(op, this.i)) {
        this.tokens.push({ kind: 'op', op, start: this.i, end: this.i + op.length });
        this.i += op.length;
        return true;
      }
    }
    return false;
  }

  private tryRedirect(): boolean {
    const s = this.s;
    const start = this.i;
    let j = this.i;
    let fd: string | undefined;
    const digits = /^\d+/.exec(s.slice(j, j + 10));
    const named = /^\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(s.slice(j, j + 100));
    const prefix = digits?.[0] ?? named?.[0];
    if (prefix && (s[j + prefix.length] === '<' || s[j + prefix.length] === '>')) {
      fd = prefix;
      j += prefix.length;
    }
    const op = REDIRECT_OPS.find((candidate) => s.startsWith(candidate, j));
    if (!op) return false;
    if (fd !== undefined && op.startsWith('&')) return false;
    j += op.length;
    while (s[j] === ' ' || s[j] === '\t') j++;
    this.i = j;
    if (j >= s.length || (META.has(s[j]!) && !(s[j] === '<' && s[j + 1] === '('))) {
      this.problems.push(`the redirection ${op} has no target`);
      this.tokens.push({ kind: 'redir', redir: { op, fd, target: emptyWord() }, start, end: j });
      return true;
    }
    const target = this.readWord();
    const redir: Redirection = { op, fd, target };
    if (op === '<<' || op === '<<-') this.heredocs.push(redir);
    this.tokens.push({ kind: 'redir', redir, start, end: this.i });
    return true;
  }

  private readHeredocBodies(): void {
    const s = this.s;
    for (const redir of this.heredocs.splice(0)) {
      const delimiter = redir.target.value;
      const quoted = redir.target.quoted;
      const lines: string[] = [];
      while (this.i < s.length) {
        const newline = s.indexOf('\n', this.i);
        const end = newline === -1 ? s.length : newline;
        const line = s.slice(this.i, end);
        this.i = newline === -1 ? s.length : newline + 1;
        const compared = redir.op === '<<-' ? line.replace(/^\t+/, '') : line;
        if (compared === delimiter) break;
        lines.push(line);
      }
      const body = lines.join('\n');
      // An unquoted delimiter means the body is expanded like double-quoted text: its substitutions run.
      const substitutions = quoted ? [] : substitutionsIn(body, this.problems);
      redir.heredoc = { body, quoted, substitutions };
    }
  }

  /** Reads one word at `this.i` up to the next unquoted metacharacter. */
  readWord(): ShellWord {
    const s = this.s;
    const word = emptyWord();
    const start = this.i;
    if ((s[this.i] === '<' || s[this.i] === '>') && s[this.i + 1] === '(') {
      const end = this.closingParen(this.i + 2);
      if (end === -1) {
        this.problems.push('unterminated process substitution');
        this.i = s.length;
      } else {
        word.substitutions.push({ kind: 'process', body: s.slice(this.i + 2, end) });
        this.i = end + 1;
      }
      word.expands = true;
      word.raw = s.slice(start, this.i);
      word.value = word.raw;
      return word;
    }
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (META.has(c)) break;
      if (c === '\\') {
        const next = s[this.i + 1];
        if (next === '\n') {
          this.i += 2;
          continue;
        }
        if (next !== undefined) word.value += next;
        word.quoted = true;
        this.i += 2;
      } else if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        word.quoted = true;
        if (end === -1) {
          this.problems.push('unterminated single quote');
          word.value += s.slice(this.i + 1);
          this.i = s.length;
        } else {
          word.value += s.slice(this.i + 1, end);
          this.i = end + 1;
        }
      } else if (c === '"') {
        word.quoted = true;
        this.i++;
        this.readDoubleContent(word, true);
      } else if (c === '$') {
        this.readDollar(word, false);
      } else if (c === '`') {
        this.readBacktick(word);
      } else {
        if (c === '*' || c === '?' || c === '[') word.glob = true;
        if (c === '~' && this.i === start) word.tilde = true;
        word.value += c;
        this.i++;
      }
    }
    word.raw = s.slice(start, this.i);
    return word;
  }

  /** Double-quoted text from `this.i`; with `closing`, stops after the closing quote. */
  readDoubleContent(word: ShellWord, closing: boolean): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (closing && c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') {
        const next = s[this.i + 1];
        if (next === '\n') {
          this.i += 2;
        } else if (next !== undefined && '$`"\\'.includes(next)) {
          word.value += next;
          this.i += 2;
        } else {
          word.value += c;
          this.i++;
        }
      } else if (c === '$') {
        this.readDollar(word, true);
      } else if (c === '`') {
        this.readBacktick(word);
      } else {
        word.value += c;
        this.i++;
      }
    }
    if (closing) this.problems.push('unterminated double quote');
  }

  private readDollar(word: ShellWord, inDouble: boolean): void {
    const s = this.s;
    const next = s[this.i + 1];
    const start = this.i;
    if (next === "'" && !inDouble) {
      word.quoted = true;
      this.i += 2;
      word.value += this.readAnsiC();
      return;
    }
    if (next === '"' && !inDouble) {
      word.quoted = true;
      this.i += 2;
      this.readDoubleContent(word, true);
      return;
    }
    if (next === '(') {
      word.expands = true;
      const end = this.closingParen(this.i + 2);
      if (end === -1) {
        this.problems.push('unterminated $( substitution');
        this.i = s.length;
      } else if (s[this.i + 2] === '(' && s[end - 1] === ')') {
        // $((arithmetic)): not a command, but substitutions inside it still run.
        word.substitutions.push(...substitutionsIn(s.slice(this.i + 3, end - 1), this.problems));
        this.i = end + 1;
      } else {
        word.substitutions.push({ kind: 'command', body: s.slice(this.i + 2, end) });
        this.i = end + 1;
      }
      word.value += s.slice(start, this.i);
      return;
    }
    if (next === '{') {
      word.expands = true;
      const end = this.closingBrace(this.i + 2);
      if (end === -1) {
        this.problems.push('unterminated ${ expansion');
        this.i = s.length;
      } else {
        // ${x:-$(cmd)} runs cmd: look inside.
        word.substitutions.push(...substitutionsIn(s.slice(this.i + 2, end), this.problems));
        this.i = end + 1;
      }
      word.value += s.slice(start, this.i);
      return;
    }
    const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(s.slice(this.i + 1, this.i + 200));
    if (name) {
      word.expands = true;
      this.i += 1 + name[0].length;
      word.value += s.slice(start, this.i);
      return;
    }
    word.value += '$';
    this.i++;
  }

  private readAnsiC(): string {
    const s = this.s;
    let out = '';
    const escapes: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      e: '\x1b',
      E: '\x1b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '?': '?',
    };
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === "'") {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const next = s[this.i + 1] ?? '';
        const hex = /^x([0-9a-fA-F]{1,2})/.exec(s.slice(this.i + 1, this.i + 4));
        const octal = /^[0-7]{1,3}/.exec(s.slice(this.i + 1, this.i + 4));
        const unicode = /^[uU]([0-9a-fA-F]{1,8})/.exec(s.slice(this.i + 1, this.i + 10));
        if (hex) {
          out += String.fromCharCode(parseInt(hex[1]!, 16));
          this.i += 1 + hex[0].length;
        } else if (octal) {
          out += String.fromCharCode(parseInt(octal[0], 8));
          this.i += 1 + octal[0].length;
        } else if (unicode) {
          const code = parseInt(unicode[1]!, 16);
          out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
          this.i += 1 + unicode[0].length;
        } else {
          out += escapes[next] ?? `\\${next}`;
          this.i += 2;
        }
      } else {
        out += c;
        this.i++;
      }
    }
    this.problems.push("unterminated $' quote");
    return out;
  }

  private readBacktick(word: ShellWord): void {
    const s = this.s;
    const start = this.i;
    let j = this.i + 1;
    let body = '';
    while (j < s.length && s[j] !== '`') {
      if (s[j] === '\\' && j + 1 < s.length && '`$\\'.includes(s[j + 1]!)) {
        body += s[j + 1];
        j += 2;
      } else {
        body += s[j];
        j++;
      }
    }
    word.expands = true;
    if (j >= s.length) {
      this.problems.push('unterminated backtick');
      this.i = s.length;
    } else {
      this.i = j + 1;
    }
    word.substitutions.push({ kind: 'backtick', body });
    word.value += s.slice(start, this.i);
  }

  /** Index of the `)` that closes a `(` whose content starts at `from`, or -1. */
  private closingParen(from: number): number {
    const s = this.s;
    let depth = 1;
    let j = from;
    while (j < s.length) {
      const c = s[j]!;
      const prev = j > from ? s[j - 1]! : ' ';
      if (c === '\\') {
        j += 2;
      } else if (c === "'") {
        const end = s.indexOf("'", j + 1);
        if (end === -1) return -1;
        j = end + 1;
      } else if (c === '"') {
        j = this.skipDouble(j + 1);
        if (j === -1) return -1;
      } else if (c === '`') {
        const end = this.skipBacktick(j + 1);
        if (end === -1) return -1;
        j = end + 1;
      } else if (c === '#' && /[\s;&|(]/.test(prev)) {
        while (j < s.length && s[j] !== '\n') j++;
      } else if (c === '(') {
        depth++;
        j++;
      } else if (c === ')') {
        depth--;
        if (depth === 0) return j;
        j++;
      } else {
        j++;
      }
    }
    return -1;
  }

  /** Index of the `}` that closes `${`, or -1. */
  private closingBrace(from: number): number {
    const s = this.s;
    let depth = 1;
    let j = from;
    while (j < s.length) {
      const c = s[j]!;
      if (c === '\\') {
        j += 2;
      } else if (c === "'") {
        const end = s.indexOf("'", j + 1);
        if (end === -1) return -1;
        j = end + 1;
      } else if (c === '"') {
        j = this.skipDouble(j + 1);
        if (j === -1) return -1;
      } else if (c === '$' && s[j + 1] === '(') {
        const end = this.closingParen(j + 2);
        if (end === -1) return -1;
        j = end + 1;
      } else if (c === '`') {
        const end = this.skipBacktick(j + 1);
        if (end === -1) return -1;
        j = end + 1;
      } else if (c === '{') {
        depth++;
        j++;
      } else if (c === '}') {
        depth--;
        if (depth === 0) return j;
        j++;
      } else {
        j++;
      }
    }
    return -1;
  }

  /** Index just after the `"` that closes double-quoted text starting at `from`, or -1. */
  private skipDouble(from: number): number {
    const s = this.s;
    let j = from;
    while (j < s.length) {
      const c = s[j]!;
      if (c === '\\') j += 2;
      else if (c === '"') return j + 1;
      else if (c === '$' && s[j + 1] === '(') {
        const end = this.closingParen(j + 2);
        if (end === -1) return -1;
        j = end + 1;
      } else if (c === '`') {
        const end = this.skipBacktick(j + 1);
        if (end === -1) return -1;
        j = end + 1;
      } else j++;
    }
    return -1;
  }

  private skipBacktick(from: number): number {
    const s = this.s;
    let j = from;
    while (j < s.length) {
      if (s[j] === '\\') j += 2;
      else if (s[j] === '`') return j;
      else j++;
    }
    return -1;
  }
}

/** Reserved words that may stand before a command without being its name. */
const PREFIX_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!']);
const END_KEYWORDS = new Set(['fi', 'done', 'esac']);

function isAssignment(word: ShellWord): boolean {
  // The name part must be unquoted: `"A"=1` is a command named A=1.
  return /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(word.raw);
}

function isPlainKeyword(word: ShellWord, set: Set<string>): boolean {
  return !word.quoted && !word.expands && set.has(word.raw);
}

function buildCommands(tokens: Token[], source: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let pipeline = 0;
  let stage = 0;
  // What each open `{` belongs to: the function it is the body of, or nothing.
  const braces: (string | undefined)[] = [];
  let pendingFunction: string | undefined;
  let current = blank();
  let start = -1;
  let end = -1;

  function blank(): SimpleCommand {
    return {
      text: '',
      assignments: [],
      words: [],
      redirections: [],
      substitutions: [],
      pipeline,
      stage,
      background: false,
    };
  }
  function enclosingFunction(): string | undefined {
    for (let k = braces.length - 1; k >= 0; k--) if (braces[k] !== undefined) return braces[k];
    return undefined;
  }
  function flush(): void {
    const c = current;
    if (c.words.length > 0 || c.assignments.length > 0 || c.redirections.length > 0 || c.definesFunction) {
      c.text = source.slice(start, end).trim();
      c.pipeline = pipeline;
      c.stage = stage;
      const inFunction = enclosingFunction();
      if (inFunction !== undefined) c.inFunction = inFunction;
      for (const word of [...c.assignments, ...c.words]) c.substitutions.push(...word.substitutions);
      for (const redir of c.redirections) {
        c.substitutions.push(...redir.target.substitutions);
        if (redir.heredoc) c.substitutions.push(...redir.heredoc.substitutions);
      }
      commands.push(c);
    }
    current = blank();
    start = -1;
    end = -1;
  }
  function endPipeline(): void {
    flush();
    pipeline++;
    stage = 0;
  }
  function mark(token: Token): void {
    if (start === -1) start = token.start;
    end = token.end;
  }

  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.kind === 'word') {
      const word = token.word;
      const atStart = current.words.length === 0 && current.assignments.length === 0;
      if (atStart && current.redirections.length === 0) {
        if (isPlainKeyword(word, PREFIX_KEYWORDS)) continue;
        if (isPlainKeyword(word, END_KEYWORDS)) continue;
        if (isPlainKeyword(word, new Set(['{']))) {
          braces.push(pendingFunction);
          pendingFunction = undefined;
          continue;
        }
        if (isPlainKeyword(word, new Set(['}']))) {
          braces.pop();
          continue;
        }
        if (isPlainKeyword(word, new Set(['function']))) {
          const nameToken = tokens[k + 1];
          if (nameToken?.kind === 'word') {
            mark(token);
            mark(nameToken);
            current.definesFunction = nameToken.word.value;
            k++;
            if (tokens[k + 1]?.kind === 'op' && (tokens[k + 1] as { op: string }).op === '(') {
              if (tokens[k + 2]?.kind === 'op' && (tokens[k + 2] as { op: string }).op === ')') k += 2;
            }
            pendingFunction = current.definesFunction;
            endPipeline();
            continue;
          }
        }
      }
      mark(token);
      if (current.words.length === 0 && isAssignment(word)) current.assignments.push(word);
      else current.words.push(word);
    } else if (token.kind === 'redir') {
      mark(token);
      current.redirections.push(token.redir);
    } else {
      const op = token.op;
      const next = tokens[k + 1];
      if (
        op === '(' &&
        current.words.length === 1 &&
        current.assignments.length === 0 &&
        next?.kind === 'op' &&
        next.op === ')'
      ) {
        mark(next);
        current.definesFunction = current.words[0]!.value;
        pendingFunction = current.definesFunction;
        current.words = [];
        k++;
        endPipeline();
        continue;
      }
      if (op === '|' || op === '|&') {
        flush();
        stage++;
      } else if (op === '&') {
        flush();
        for (const command of commands) if (command.pipeline === pipeline) command.background = true;
        pipeline++;
        stage = 0;
      } else {
        endPipeline();
      }
    }
  }
  flush();
  return commands;
}

/** The program a word names, without its directory: `/usr/bin/rm` -> `rm`. */
export function commandName(word: ShellWord | undefined): string {
  if (!word) return '';
  const value = word.value;
  const slash = value.lastIndexOf('/');
  return slash === -1 ? value : value.slice(slash + 1);
}

export interface Unwrapped {
  /** Wrappers from the outside in, each with the words from it to the end (`sudo`, `env`, `timeout`, ...). */
  wrappers: { name: string; words: ShellWord[] }[];
  /** The command that finally runs (empty when a wrapper runs nothing, e.g. `sudo -i`). */
  words: ShellWord[];
  /** Assignments made by `env NAME=value`. */
  assignments: ShellWord[];
  /** Shell code run from a string: `sh -c '…'`, `eval …`, `su -c '…'`, `env -S '…'`, `watch '…'`. */
  script?: { text: string; via: string; dynamic: boolean };
  /** Arguments come from standard input (`xargs`). */
  argsFromStdin: boolean;
}

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh']);

/**
 * Strips the programs that only run another one (`sudo`, `env`, `nohup`, `timeout`, `xargs`, `nice`, ...)
 * and finds shell code passed as a string (`sh -c`, `eval`), so the rules judge what really runs.
 */
export function unwrapCommand(words: ShellWord[]): Unwrapped {
  const result: Unwrapped = { wrappers: [], words, assignments: [], argsFromStdin: false };
  let rest = words;
  for (let guard = 0; guard < 32 && rest.length > 0; guard++) {
    const name = commandName(rest[0]);
    const args = rest.slice(1);
    let inner: ShellWord[] | undefined;
    switch (name) {
      case 'pkexec':
      case 'run0':
        inner = skipOptions(args, new Set(['-u', '--user']));
        break;
      case 'sudo':
      case 'doas':
        inner = skipOptions(
          args,
          new Set(['-u', '-g', '-C', '-h', '-p', '-r', '-t', '-D', '-U', '-T', '-R']),
        );
        break;
      case 'busybox':
        inner = args;
        break;
      case 'nohup':
      case 'setsid':
      case 'builtin':
      case 'unbuffer':
        inner = skipOptions(args, new Set());
        break;
      case 'nice':
        inner = skipOptions(args, new Set(['-n', '--adjustment']));
        break;
      case 'ionice':
        inner = skipOptions(args, new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata']));
        break;
      case 'stdbuf':
        inner = skipOptions(args, new Set(['-i', '-o', '-e', '--input', '--output', '--error']));
        break;
      case 'time':
        inner = skipOptions(args, new Set(['-f', '--format', '-o', '--output']));
        break;
      case 'exec':
        inner = skipOptions(args, new Set(['-a']));
        break;
      case 'command':
        if (args.some((a) => a.value === '-v' || a.value === '-V')) break;
        inner = skipOptions(args, new Set());
        break;
      case 'timeout':
      case 'gtimeout': {
        const afterOptions = skipOptions(args, new Set(['-s', '-k', '--signal', '--kill-after']));
        inner = afterOptions.slice(1); // the duration
        break;
      }
      case 'xargs':
        result.argsFromStdin = true;
        inner = skipOptions(
          args,
          new Set([
            '-I',
            '-L',
            '-n',
            '-P',
            '-s',
            '-d',
            '-E',
            '-a',
            '--arg-file',
            '--delimiter',
            '--max-args',
          ]),
        );
        break;
      case 'env': {
        let k = 0;
        for (; k < args.length; k++) {
          const arg = args[k]!;
          const v = arg.value;
          if (v === '--') {
            k++;
            break;
          }
          if (v === '-S' || v === '--split-string' || v.startsWith('--split-string=') || /^-S./.test(v)) {
            const text = v === '-S' || v === '--split-string' ? args[k + 1] : arg;
            const script = v.startsWith('--split-string=')
              ? v.slice('--split-string='.length)
              : v === '-S' || v === '--split-string'
                ? (text?.value ?? '')
                : v.slice(2);
            const after = args.slice(v === '-S' || v === '--split-string' ? k + 2 : k + 1);
            result.wrappers.push({ name, words: rest });
            result.script = {
              text: [script, ...after.map((w) => w.raw)].join(' '),
              via: 'env -S',
              dynamic: (text?.expands ?? false) || after.some((w) => w.expands),
            };
            result.words = [];
            return result;
          }
          if (v === '-u' || v === '-C' || v === '--unset' || v === '--chdir') {
            k++;
            continue;
          }
          if (v.startsWith('-')) continue;
          if (isAssignment(arg)) {
            result.assignments.push(arg);
            continue;
          }
          break;
        }
        inner = args.slice(k);
        break;
      }
      case 'trap': {
        // `trap 'code' EXIT` runs the code later, in this shell.
        const code = args[0];
        if (!code || code.value.startsWith('-') || args.length < 2) break;
        result.wrappers.push({ name, words: rest });
        result.script = { text: code.value, via: 'trap', dynamic: code.expands };
        result.words = [];
        return result;
      }
      case 'eval': {
        result.wrappers.push({ name, words: rest });
        result.script = {
          text: args.map((w) => w.value).join(' '),
          via: 'eval',
          dynamic: args.some((w) => w.expands),
        };
        result.words = [];
        return result;
      }
      case 'su': {
        const index = args.findIndex((a) => a.value === '-c' || a.value === '--command');
        if (index !== -1) {
          const script = args[index + 1];
          result.wrappers.push({ name, words: rest });
          result.script = { text: script?.value ?? '', via: 'su -c', dynamic: script?.expands ?? false };
          result.words = [];
          return result;
        }
        result.wrappers.push({ name, words: rest });
        result.words = [];
        return result;
      }
      case 'watch': {
        const command = skipOptions(args, new Set(['-n', '--interval', '-q', '--equexit']));
        result.wrappers.push({ name, words: rest });
        result.script = {
          text: command.map((w) => w.value).join(' '),
          via: 'watch',
          dynamic: command.some((w) => w.expands),
        };
        result.words = [];
        return result;
      }
      default:
        if (SHELLS.has(name)) {
          const shellScript = shellDashC(args);
          if (shellScript) {
            result.wrappers.push({ name, words: rest });
            result.script = {
              text: shellScript.value,
              via: `${name} -c`,
              dynamic: shellScript.expands,
            };
            result.words = [];
            return result;
          }
        }
    }
    if (inner === undefined) break;
    result.wrappers.push({ name, words: rest });
    rest = inner;
    result.words = inner;
  }
  return result;
}

/** The words after a wrapper's own options; `withValue` lists the options that take a separate value. */
function skipOptions(args: ShellWord[], withValue: Set<string>): ShellWord[] {
  let k = 0;
  for (; k < args.length; k++) {
    const v = args[k]!.value;
    if (v === '--') return args.slice(k + 1);
    if (!v.startsWith('-') || v === '-') break;
    // Options with a separate value skip it; attached forms (`-uroot`, `-I{}`, `--signal=9`) are one word.
    if (withValue.has(v)) k++;
  }
  return args.slice(k);
}

/** For `bash [options] -c SCRIPT`, the SCRIPT word; undefined when the shell reads a file or stdin. */
function shellDashC(args: ShellWord[]): ShellWord | undefined {
  let dashC = false;
  let k = 0;
  for (; k < args.length; k++) {
    const v = args[k]!.value;
    if (v === '--' || v === '-') {
      k++;
      break;
    }
    if (v === '-o' || v === '+o' || v === '-O' || v === '+O' || v === '--rcfile' || v === '--init-file') {
      k++;
      continue;
    }
    if (v.startsWith('--')) continue;
    if (/^[-+][A-Za-z]+$/.test(v)) {
      if (v.startsWith('-') && v.includes('c')) dashC = true;
      // In a cluster such as `-euo pipefail`, `o` takes the next word as its value.
      if (/[oO]/.test(v)) k++;
      continue;
    }
    break;
  }
  return dashC ? args[k] : undefined;
}
