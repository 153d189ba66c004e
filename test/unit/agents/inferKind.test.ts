import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  executableName,
  inferKind,
  resolveCommand,
  splitCommandLine,
} from '../../../extension/core/agents/inferKind';
import { loadProfiles } from '../../../extension/core/agents/profiles';
import type { AgentProfile } from '../../../extension/core/schemas/agentProfile';
import { repoRoot } from '../helpers';

let profiles: Map<string, AgentProfile>;
beforeAll(async () => {
  const loaded = await loadProfiles({ builtinDir: path.join(repoRoot, 'agents-config') });
  expect(loaded.problems).toEqual([]);
  profiles = loaded.profiles;
});

describe('inferKind', () => {
  it.each<[string, string[], string | undefined]>([
    // Plain names and paths, on every platform.
    ['codex', [], 'codex'],
    ['/usr/local/bin/codex', ['--no-daemon'], 'codex'],
    ['C:\\Users\\me\\AppData\\Roaming\\npm\\codex.cmd', [], 'codex'],
    ['C:\\tools\\Claude.EXE', [], 'claude'],
    ['gemini', ['--resume', 'latest'], 'gemini'],
    ['aider', ['--model', 'sonnet'], 'aider'],
    // Launchers and wrappers.
    ['npx', ['codex'], 'codex'],
    ['npx', ['-y', '@openai/codex@latest', 'resume', '--last'], 'codex'],
    ['npx', ['--yes', '--package=@anthropic-ai/claude-code', 'claude'], 'claude'],
    ['npx', ['@google/gemini-cli'], 'gemini'],
    ['npm', ['exec', '--', 'gemini'], 'gemini'],
    ['pnpm', ['dlx', '@openai/codex'], 'codex'],
    ['bunx', ['@anthropic-ai/claude-code'], 'claude'],
    ['node', ['/opt/lib/node_modules/@openai/codex/bin/codex.js'], 'codex'],
    [
      'node',
      ['--no-warnings', '-r', 'preload.js', '/x/node_modules/@anthropic-ai/claude-code/cli.js'],
      'claude',
    ],
    ['/usr/bin/node', ['C:\\npm\\node_modules\\@google\\gemini-cli\\bundle\\gemini.js'], 'gemini'],
    ['env', ['FOO=1', 'BAR=two', 'claude', '--continue'], 'claude'],
    ['/usr/bin/env', ['-i', '-u', 'HOME', 'PATH=/bin', 'codex'], 'codex'],
    ['env', ['-S', 'CODEX_HOME=/x codex --no-daemon'], 'codex'],
    ['python3', ['-m', 'aider', '--yes'], 'aider'],
    ['uvx', ['--from', 'aider-chat', 'aider'], 'aider'],
    ['pipx', ['run', 'aider-chat'], 'aider'],
    ['sudo', ['-u', 'agent', 'codex'], 'codex'],
    ['env', ['FOO=1', 'npx', '-y', '@openai/codex'], 'codex'],
    // A shell asked to run one command is that command; otherwise it is a shell.
    ['bash', ['-lc', 'exec codex --no-daemon'], 'codex'],
    ['/bin/zsh', ['-c', "FOO='a b' claude"], 'claude'],
    ['sh', ['-c', 'env FOO="a b" claude'], 'claude'],
    ['cmd.exe', ['/c', 'codex.cmd'], 'codex'],
    ['pwsh', ['-NoProfile', '-NonInteractive', '-Command', 'gemini'], 'gemini'],
    ['bash', [], 'shell'],
    ['/bin/bash', ['--login'], 'shell'],
    ['fish', [], 'shell'],
    ['bash', ['-c', 'make test'], 'shell'],
    ['dash', [], 'shell'],
    // Not an agent, not a shell.
    ['vim', ['notes.md'], undefined],
    ['node', ['server.js'], undefined],
    ['node', ['-e', 'console.log(1)'], undefined],
    ['npx', ['prettier', '--write', '.'], undefined],
    ['codexx', [], undefined],
    ['', [], undefined],
  ])('%s %j -> %s', (command, args, kind) => {
    expect(inferKind(command, args, profiles)).toBe(kind);
  });

  it('uses the executables and packages of the profiles it is given, including a workspace kind', () => {
    const shell = profiles.get('shell') as AgentProfile;
    const mine: AgentProfile = {
      ...shell,
      kind: 'mycli',
      detect: { executables: ['my-cli.exe'], packages: ['@me/my-cli'] },
    };
    const withMine = new Map([...profiles, ['mycli', mine]]);
    expect(inferKind('my-cli', [], withMine)).toBe('mycli');
    expect(inferKind('npx', ['@me/my-cli@2'], withMine)).toBe('mycli');
    expect(inferKind('my-cli', [], profiles)).toBeUndefined();
    // Without a shell profile a shell is still a shell.
    expect(inferKind('zsh', [], new Map())).toBe('shell');
  });
});

describe('resolveCommand', () => {
  it('returns the program, the packages seen on the way and the program arguments', () => {
    expect(resolveCommand('npx', ['-y', '@openai/codex@0.169.0', 'resume', '--last'])).toEqual({
      name: 'codex',
      packages: ['@openai/codex'],
      args: ['resume', '--last'],
    });
    expect(resolveCommand('env', ['A=1', 'node', '/n/node_modules/pkg/bin/x.mjs', '--flag'])).toEqual({
      name: 'x',
      packages: ['pkg'],
      args: ['--flag'],
    });
  });

  it('strips folders and executable extensions but keeps other dots', () => {
    expect(executableName('/a/b/Codex')).toBe('codex');
    expect(executableName('D:\\bin\\gemini.ps1')).toBe('gemini');
    expect(executableName('python3.12')).toBe('python3.12');
  });
});

describe('splitCommandLine', () => {
  it.each<[string, string[]]>([
    ['codex --no-daemon', ['codex', '--no-daemon']],
    ['  a   b  ', ['a', 'b']],
    [`FOO='a b' claude`, ['FOO=a b', 'claude']],
    ['say "it\'s \\"fine\\""', ['say', 'it\'s "fine"']],
    ['a\\ b c', ['a b', 'c']],
    ['empty "" x', ['empty', '', 'x']],
    ['', []],
  ])('%j -> %j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });
});
