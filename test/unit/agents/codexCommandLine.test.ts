import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  codexHomeFor,
  codexLaunch,
  controlSocketLink,
} from '../../../extension/core/agents/codex/codexCommandLine';

const home = '/h/.codex';
const cwd = '/ws';
const socket = controlSocketLink(home);

describe('what a Codex command line says about its app-server daemon', () => {
  it('plain codex, a prompt, options with values, resume: the daemon in CODEX_HOME, the pane folder', () => {
    for (const args of [
      [],
      ['Fix the tests'],
      ['-m', 'gpt-x', '--sandbox', 'workspace-write', 'go on'],
      ['--enable', 'undo', 'resume', '--last'],
      ['--model=gpt-x'],
    ]) {
      expect(codexLaunch(args, cwd, home), args.join(' ')).toEqual({ daemon: true, cwd, socketPath: socket });
    }
    expect(socket).toBe(path.join(home, 'app-server-control', 'app-server-control.sock'));
  });

  it('-c / --config (any form) and --no-daemon: no daemon, with the reason', () => {
    for (const args of [
      ['-c', 'model="o3"'],
      ['--config', 'x=1'],
      ['--config=x=1'],
      ['-cx=1'],
      ['--search', '-c', 'tui.disable_paste_burst=true', 'hello'],
    ]) {
      const launch = codexLaunch(args, cwd, home);
      expect(launch.daemon, args.join(' ')).toBe(false);
      expect(launch.daemon ? '' : launch.reason).toContain('-c/--config');
    }
    expect(codexLaunch(['--no-daemon'], cwd, home)).toEqual({
      daemon: false,
      reason: 'started with --no-daemon',
    });
  });

  it('a prompt that merely mentions -c is not an option', () => {
    expect(codexLaunch(['--', '-c is a flag'], cwd, home).daemon).toBe(true);
    expect(codexLaunch(['explain', '-c'], cwd, home).daemon).toBe(true);
  });

  it('sub-commands without the TUI, --help and remote servers', () => {
    for (const sub of ['exec', 'review', 'app-server', 'mcp', 'login']) {
      expect(codexLaunch([sub, 'x'], cwd, home)).toEqual({
        daemon: false,
        reason: `codex ${sub} does not run the interactive TUI`,
      });
    }
    expect(codexLaunch(['--help'], cwd, home).daemon).toBe(false);
    expect(codexLaunch(['--remote', 'ws://10.0.0.2:4000'], cwd, home)).toEqual({
      daemon: false,
      reason: 'the TUI talks to a remote app-server (ws://10.0.0.2:4000)',
    });
  });

  it('--remote unix://PATH names the socket; -C/--cd the folder', () => {
    expect(codexLaunch(['--remote', 'unix:///run/codex.sock'], cwd, home)).toEqual({
      daemon: true,
      cwd,
      socketPath: '/run/codex.sock',
    });
    expect(codexLaunch(['--remote=unix://'], cwd, home)).toEqual({ daemon: true, cwd, socketPath: socket });
    expect(codexLaunch(['-C', 'sub'], cwd, home)).toEqual({
      daemon: true,
      cwd: '/ws/sub',
      socketPath: socket,
    });
    expect(codexLaunch(['--cd=/elsewhere'], cwd, home)).toEqual({
      daemon: true,
      cwd: '/elsewhere',
      socketPath: socket,
    });
  });

  it('CODEX_HOME, else ~/.codex of the pane environment', () => {
    expect(codexHomeFor({ CODEX_HOME: '/c', HOME: '/u' })).toBe('/c');
    expect(codexHomeFor({ HOME: '/u' })).toBe(path.join('/u', '.codex'));
    expect(codexHomeFor({ CODEX_HOME: '', HOME: '/u' })).toBe(path.join('/u', '.codex'));
  });
});
