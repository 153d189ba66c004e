import { describe, expect, it } from 'vitest';
import {
  parseShell,
  unwrapCommand,
  type SimpleCommand,
} from '../../../extension/core/approvals/shellCommand';

function texts(line: string): string[] {
  return parseShell(line).commands.map((c) => c.text);
}
function words(command: SimpleCommand | undefined): string[] {
  return command?.words.map((w) => w.value) ?? [];
}

describe('parseShell splits a line into the commands it runs', () => {
  it.each([
    ['a && b || c; d | e & f', ['a', 'b', 'c', 'd', 'e', 'f']],
    ['a\nb', ['a', 'b']],
    ['a |& b', ['a', 'b']],
    ['(a; b) && { c; }', ['a', 'b', 'c']],
    ['if a; then b; else c; fi', ['a', 'b', 'c']],
    ['while a; do b; done', ['a', 'b']],
    ['echo "a && b" \'c; d\'', ['echo "a && b" \'c; d\'']],
    ['echo a\\;b', ['echo a\\;b']],
    ['echo a \\\nb', ['echo a \\\nb']],
    ['ls # ; rm -rf /', ['ls']],
    ['echo a#b', ['echo a#b']],
  ])('%j -> %j', (line, expected) => {
    expect(texts(line)).toEqual(expected);
  });

  it('removes quotes and escapes from word values, and tells what was quoted', () => {
    const [command] = parseShell(`r"m" -r'f' \\/ "$HOME" $'a\\x20b'`).commands;
    expect(words(command)).toEqual(['rm', '-rf', '/', '$HOME', 'a b']);
    expect(command!.words.map((w) => w.quoted)).toEqual([true, true, true, true, true]);
    expect(command!.words[3]!.expands).toBe(true);
  });

  it('keeps env assignments apart from the command', () => {
    const [command] = parseShell('FOO=1 BAR="x y" npm test').commands;
    expect(command!.assignments.map((a) => a.value)).toEqual(['FOO=1', 'BAR=x y']);
    expect(words(command)).toEqual(['npm', 'test']);
    expect(words(parseShell('"A"=1 x').commands[0])).toEqual(['A=1', 'x']);
  });

  it('finds command substitutions in every form, but not in single quotes or after a backslash', () => {
    const bodies = (line: string): string[] =>
      parseShell(line).commands.flatMap((c) => c.substitutions.map((s) => `${s.kind}:${s.body}`));
    expect(bodies('echo $(id) `whoami` <(ls) >(cat)')).toEqual([
      'command:id',
      'backtick:whoami',
      'process:ls',
      'process:cat',
    ]);
    expect(bodies('echo "x $(a "b" c) y"')).toEqual(['command:a "b" c']);
    expect(bodies('echo $(echo $(inner))')).toEqual(['command:echo $(inner)']);
    expect(bodies('echo ${X:-$(fallback)}')).toEqual(['command:fallback']);
    expect(bodies('echo $(( $(n) + 1 ))')).toEqual(['command:n']);
    expect(bodies("echo '$(id)' \\$HOME")).toEqual([]);
    expect(bodies('X=$(id) ls')).toEqual(['command:id']);
    expect(bodies('ls > $(target)')).toEqual(['command:target']);
  });

  it('reads redirections with their descriptor and target', () => {
    const [command] = parseShell('cmd 2>err.log >>out &>all <in 2>&1 >&2 {fd}>x').commands;
    expect(command!.redirections.map((r) => `${r.fd ?? ''}${r.op}${r.target.value}`)).toEqual([
      '2>err.log',
      '>>out',
      '&>all',
      '<in',
      '2>&1',
      '>&2',
      '{fd}>x',
    ]);
    expect(words(command)).toEqual(['cmd']);
    // `echo 2 > f` writes "2" to f; `echo 2>f` redirects stderr: shell-quote cannot tell them apart.
    expect(words(parseShell('echo 2 > f').commands[0])).toEqual(['echo', '2']);
    expect(words(parseShell('echo 2>f').commands[0])).toEqual(['echo']);
  });

  it('treats a heredoc body as data, except the substitutions of an unquoted one', () => {
    const plain = parseShell('cat <<EOF\nrm -rf /\nEOF\necho after');
    expect(plain.commands.map((c) => c.text)).toEqual(['cat <<EOF', 'echo after']);
    expect(plain.commands[0]!.redirections[0]!.heredoc?.body).toBe('rm -rf /');
    const expanded = parseShell('cat <<EOF\n$(rm -rf /)\nEOF');
    expect(expanded.commands[0]!.substitutions).toEqual([{ kind: 'command', body: 'rm -rf /' }]);
    const quoted = parseShell("cat <<'EOF'\n$(rm -rf /)\nEOF");
    expect(quoted.commands[0]!.substitutions).toEqual([]);
    const tabs = parseShell('cat <<-EOF\n\tline\n\tEOF\nnext');
    expect(tabs.commands.map((c) => c.text)).toEqual(['cat <<-EOF', 'next']);
  });

  it('numbers pipelines and stages, and marks background commands', () => {
    const commands = parseShell('a | b | c; d & e').commands;
    expect(commands.map((c) => [c.text, c.pipeline, c.stage, c.background])).toEqual([
      ['a', 0, 0, false],
      ['b', 0, 1, false],
      ['c', 0, 2, false],
      ['d', 1, 0, true],
      ['e', 2, 0, false],
    ]);
  });

  it('recognises function definitions and the commands in their bodies', () => {
    const commands = parseShell(':(){ :|:& };:').commands;
    expect(commands[0]!.definesFunction).toBe(':');
    expect(commands.filter((c) => c.inFunction === ':').map((c) => c.text)).toEqual([':', ':']);
    expect(commands.at(-1)!.inFunction).toBeUndefined();
    expect(parseShell('function f { g; }').commands[0]!.definesFunction).toBe('f');
  });

  it.each([
    ['echo "open', 'unterminated double quote'],
    ["echo 'open", 'unterminated single quote'],
    ['echo $(open', 'unterminated $( substitution'],
    ['echo `open', 'unterminated backtick'],
    ['cat >', 'the redirection > has no target'],
  ])('reports what it cannot read: %j', (line, problem) => {
    expect(parseShell(line).problems).toContain(problem);
  });
});

describe('unwrapCommand finds what a wrapper runs', () => {
  const unwrap = (line: string) => unwrapCommand(parseShell(line).commands[0]!.words);

  it.each([
    ['sudo -u bob -E rm -rf x', ['sudo'], ['rm', '-rf', 'x']],
    ['env -i FOO=1 -u BAR ls -l', ['env'], ['ls', '-l']],
    ['nohup nice -n 5 timeout -s KILL 10s npm test', ['nohup', 'nice', 'timeout'], ['npm', 'test']],
    ['xargs -0 -I {} rm {}', ['xargs'], ['rm', '{}']],
    ['/usr/bin/sudo /bin/rm x', ['sudo'], ['/bin/rm', 'x']],
    ['command -v git', [], ['command', '-v', 'git']],
    ['busybox rm -rf x', ['busybox'], ['rm', '-rf', 'x']],
  ])('%j', (line, wrappers, inner) => {
    const result = unwrap(line);
    expect(result.wrappers.map((w) => w.name)).toEqual(wrappers);
    expect(result.words.map((w) => w.value)).toEqual(inner);
  });

  it('marks xargs as taking arguments from standard input and env assignments as assignments', () => {
    expect(unwrap('xargs rm').argsFromStdin).toBe(true);
    expect(unwrap('env LD_PRELOAD=x ls').assignments.map((a) => a.value)).toEqual(['LD_PRELOAD=x']);
  });

  it.each([
    ["sh -c 'rm -rf /'", 'rm -rf /', 'sh -c', false],
    ['bash -euo pipefail -c "ls; pwd" name', 'ls; pwd', 'bash -c', false],
    ['bash -lc "echo $X"', 'echo $X', 'bash -c', true],
    ['eval "ls" -la', 'ls -la', 'eval', false],
    ["su root -c 'id'", 'id', 'su -c', false],
    ["sudo sh -c 'id'", 'id', 'sh -c', false],
    ["env -S 'ls -l'", 'ls -l', 'env -S', false],
  ])('%j runs the script %j', (line, text, via, dynamic) => {
    expect(unwrap(line).script).toEqual({ text, via, dynamic });
  });

  it('does not take a script file for a -c script', () => {
    expect(unwrap('bash script.sh').script).toBeUndefined();
  });
});
