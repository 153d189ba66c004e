import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfiles } from '../../../extension/core/agents/profiles';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import {
  fleetMcpArgs,
  fleetMcpValues,
  toToml,
  withFleetMcpArgs,
  type FleetMcpTarget,
} from '../../../extension/core/panes/fleetMcpArgs';
import { PaneRegistry } from '../../../extension/core/panes/paneRegistry';
import { nodePtyHost } from '../../../extension/core/panes/ptyHost';
import { AgentProfile, type AgentProfile as Profile } from '../../../extension/core/schemas/agentProfile';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught, repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const registries: PaneRegistry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.disposeAll();
});

// Paths with a space, a single and a double quote, a backslash and a dollar: what a home folder can hold.
const awkward = `/home/ann o'neil/"fleet" \\ $HOME`;
const target: FleetMcpTarget = {
  node: `${awkward}/node`,
  cli: `${awkward}/dist/cli.js`,
  electron: false,
  workspace: `${awkward}/ws`,
  pane: 'api',
};

async function shipped(): Promise<Map<string, Profile>> {
  const loaded = await loadProfiles({
    builtinDir: path.join(repoRoot, 'agents-config'),
    workspaceDir: path.join(tempDir(), 'none'),
    log: createMemoryLog(),
  });
  return loaded.profiles;
}

/** The value of `-c key=value` in Codex's argument list. */
function codexValue(args: string[], key: string): string {
  const entry = args.find((a, i) => args[i - 1] === '-c' && a.startsWith(`${key}=`));
  if (entry === undefined) throw new Error(`no -c ${key}= in ${JSON.stringify(args)}`);
  return entry.slice(key.length + 1);
}

describe('the shipped profiles offer FleetAI MCP server per run', () => {
  it('codex: -c mcp_servers.fleetai.* with TOML values naming the CLI, workspace and pane', async () => {
    const codex = (await shipped()).get('codex')!;
    const args = fleetMcpArgs(codex.fleetMcp!, target);
    // Codex parses each -c value as TOML; JSON strings and arrays are valid TOML basic strings and arrays.
    expect(JSON.parse(codexValue(args, 'mcp_servers.fleetai.command'))).toBe(target.node);
    expect(JSON.parse(codexValue(args, 'mcp_servers.fleetai.args'))).toEqual([
      target.cli,
      'mcp-server',
      '--workspace',
      target.workspace,
      '--pane',
      'api',
    ]);
    expect(codexValue(args, 'mcp_servers.fleetai.env')).toBe('{}');
    expect(codexValue(args, 'mcp_servers.fleetai.tool_timeout_sec')).toBe('660');
    // In VS Code the program is Electron: the server must run it as Node.
    const electron = fleetMcpArgs(codex.fleetMcp!, { ...target, electron: true });
    expect(codexValue(electron, 'mcp_servers.fleetai.env')).toBe('{ ELECTRON_RUN_AS_NODE = "1" }');
  });

  it('claude: --mcp-config with the mcpServers JSON', async () => {
    const claude = (await shipped()).get('claude')!;
    const args = fleetMcpArgs(claude.fleetMcp!, { ...target, electron: true });
    expect(args[0]).toBe('--mcp-config');
    expect(args).toHaveLength(2);
    expect(JSON.parse(args[1]!)).toEqual({
      mcpServers: {
        fleetai: {
          type: 'stdio',
          command: target.node,
          args: [target.cli, 'mcp-server', '--workspace', target.workspace, '--pane', 'api'],
          env: { ELECTRON_RUN_AS_NODE: '1' },
        },
      },
    });
  });

  it('gemini, aider and shell offer none (no per-run MCP setting that leaves the user files alone)', async () => {
    const profiles = await shipped();
    for (const kind of ['gemini', 'aider', 'shell']) expect(profiles.get(kind)?.fleetMcp ?? null).toBeNull();
  });
});

describe('fleetMcp in a profile', () => {
  const base = JSON.parse(readFileSync(path.join(repoRoot, 'agents-config/shell.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const issues = (args: string[]): string[] => {
    const result = AgentProfile.safeParse({ ...base, $schema: undefined, fleetMcp: { args } });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('names an unknown placeholder and one that is not a string without an encoding', () => {
    expect(issues(['--x=${json:mcpConfig}', '${pane}', '${toml:env}'])).toEqual([]);
    expect(issues(['--x=${paneId}'])).toEqual([
      expect.stringMatching(/^fleetMcp\.args\.0: unknown placeholder \$\{paneId\} \(known: command, args/),
    ]);
    expect(issues(['ok', '${args}'])).toEqual([
      'fleetMcp.args.1: ${args} is not a string: write ${json:args} or ${toml:args}',
    ]);
    expect(issues([])).toHaveLength(1);
  });

  it('TOML: nested tables inline, keys quoted only when they must be', () => {
    expect(toToml({ A_B: '1', 'a.b': ['x', 'y"'], n: { m: 2 } })).toBe(
      '{ A_B = "1", "a.b" = ["x", "y\\""], n = { m = 2 } }',
    );
    expect(fleetMcpValues(target).pane).toBe('api');
  });

  it('goes before the other arguments, or into the line of a command wrapped in sh -c', () => {
    expect(withFleetMcpArgs('codex', ['resume', '--last'], ['-c', 'a=1'])).toEqual([
      '-c',
      'a=1',
      'resume',
      '--last',
    ]);
    expect(withFleetMcpArgs('/bin/sh', ['-c', ". ~/.proxy && codex '--x'"], ['-c', "it's"])).toEqual([
      '-c',
      `. ~/.proxy && codex '--x' '-c' 'it'\\''s'`,
    ]);
    expect(withFleetMcpArgs('codex', ['a'], [])).toEqual(['a']);
  });
});

/**
 * The arguments as the agent's process receives them, through the real pty (node-pty spawns the program with
 * an argv, no shell) and through `/bin/sh -c` (an orchestrator.json `bin` with shell syntax). The "agent" is a
 * Node script that writes its argv to a file.
 */
describe('fleetMcp through the pane registry and a real pty', () => {
  function setup() {
    const workspace = path.join(tempDir(), `ws o'k "$x"`);
    mkdirSync(workspace, { recursive: true });
    const cli = path.join(workspace, 'fake fleet', 'cli.js');
    mkdirSync(path.dirname(cli), { recursive: true });
    writeFileSync(cli, '// stands in for dist/cli.js; never run here\n');
    const script = path.join(workspace, 'argv.js');
    // The script is the program itself (its own #!), as an agent is: `node <script>` would take the MCP
    // arguments, which come first, as Node's own options.
    writeFileSync(
      script,
      `#!${process.execPath}\n` +
        "require('fs').writeFileSync(process.env.ARGV_OUT, JSON.stringify(process.argv.slice(2)));\n" +
        'setTimeout(() => {}, 60000);\n',
      { mode: 0o755 },
    );
    const agentsDir = path.join(workspacePaths(workspace).root, 'agents');
    mkdirSync(agentsDir, { recursive: true });
    const shell = JSON.parse(readFileSync(path.join(repoRoot, 'agents-config/shell.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      path.join(agentsDir, 'argv.json'),
      JSON.stringify({
        ...shell,
        $schema: undefined,
        kind: 'argv',
        displayName: 'Argv',
        command: script,
        args: ['--own'],
        detect: { executables: [] },
        fleetMcp: {
          args: ['--mcp-config', '${json:mcpConfig}', '-c', 'x.args=${toml:args}', '--pane=${pane}'],
        },
      }),
    );
    const log = createMemoryLog();
    const registry = new PaneRegistry({
      builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      paths: workspacePaths(workspace),
      ptyHost: nodePtyHost(),
      log,
      env: () => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C' }),
      hookCli: cli,
    });
    registries.push(registry);
    return { registry, workspace, cli, script, log };
  }

  const readArgv = async (file: string): Promise<string[]> => {
    const end = Date.now() + 15_000;
    while (!existsSync(file) || readFileSync(file, 'utf8') === '') {
      if (Date.now() > end) throw new Error(`the agent did not write ${file}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return JSON.parse(readFileSync(file, 'utf8')) as string[];
  };

  it('the agent receives each argument intact, directly and through sh -c, and again after a restart', async () => {
    const { registry, workspace, cli, script, log } = setup();
    const serverArgs = [cli, 'mcp-server', '--workspace', workspace, '--pane'];
    const expected = (pane: string): string[] => [
      '--mcp-config',
      JSON.stringify({
        mcpServers: {
          fleetai: { type: 'stdio', command: process.execPath, args: [...serverArgs, pane], env: {} },
        },
      }),
      '-c',
      `x.args=${toToml([...serverArgs, pane])}`,
      `--pane=${pane}`,
    ];

    const out1 = path.join(workspace, 'argv1.json');
    const direct = await registry.start({
      id: 'api',
      kind: 'argv',
      cwd: workspace,
      fleetMcp: true,
      env: { ARGV_OUT: out1 },
    });
    expect(await readArgv(out1)).toEqual([...expected('api'), '--own']);
    // The pane keeps its own arguments; the MCP ones are added at each start.
    expect(direct.args).toEqual(['--own']);
    expect(
      log.lines.some((e) => e.event === 'pane.fleet_mcp' && (e.context as { pane?: string }).pane === 'api'),
    ).toBe(true);

    const out2 = path.join(workspace, 'argv2.json');
    const line = `ARGV_OUT='${out2.replaceAll("'", "'\\''")}' exec '${process.execPath}' '${script.replaceAll("'", "'\\''")}'`;
    await registry.start({
      id: 'wrapped',
      kind: 'argv',
      command: '/bin/sh',
      args: ['-c', line],
      cwd: workspace,
      fleetMcp: true,
    });
    expect(await readArgv(out2)).toEqual(expected('wrapped'));

    const out3 = path.join(workspace, 'argv3.json');
    const plain = await registry.start({
      id: 'plain',
      kind: 'argv',
      cwd: workspace,
      env: { ARGV_OUT: out3 },
    });
    expect(await readArgv(out3)).toEqual(['--own']);
    await registry.stop(plain.id);

    writeFileSync(out1, '');
    await registry.restart('api');
    expect(await readArgv(out1)).toEqual([...expected('api'), '--own']);
  });

  it('refuses fleetMcp for a profile that does not offer it, naming the field and the kind', async () => {
    const { registry, workspace } = setup();
    const error = await caught(() =>
      registry.start({ id: 'g', kind: 'shell', command: '/bin/sh', cwd: workspace, fleetMcp: true }),
    );
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({
      code: ErrorCode.ConfigSchema,
      details: { field: 'fleetMcp', kind: 'shell', pane: 'g' },
    });
    expect((error as Error).message).toMatch(/^fleetMcp: the shell profile gives no way/);
    expect(registry.list()).toEqual([]);
  });
});
