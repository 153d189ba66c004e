import type { AgentFleetMcp } from '../schemas/agentProfile';

/** How to start FleetAI's MCP server (`fleet mcp-server`) for one pane. */
export interface FleetMcpTarget {
  /** The Node that runs the bundled CLI (in VS Code: Electron, run as Node). */
  node: string;
  /** The bundled CLI, `dist/cli.js`: an absolute path, so the agent can start it from any folder (a worktree). */
  cli: string;
  /** The host is Electron: the server needs ELECTRON_RUN_AS_NODE=1. */
  electron: boolean;
  /** The FleetAI workspace the pane reports to (not the pane's cwd, which may be a worktree). */
  workspace: string;
  pane: string;
}

/** The values a profile's `fleetMcp.args` placeholders stand for. */
export function fleetMcpValues(target: FleetMcpTarget): Record<string, unknown> {
  // The pane and workspace go on the server's command line, not in its environment: Codex starts MCP servers
  // with a cleared environment, so FLEETAI_PANE_ID would not reach it unless listed in env_vars.
  const args = [target.cli, 'mcp-server', '--workspace', target.workspace, '--pane', target.pane];
  const env: Record<string, string> = target.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  return {
    command: target.node,
    args,
    env,
    workspace: target.workspace,
    pane: target.pane,
    mcpConfig: { mcpServers: { fleetai: { type: 'stdio', command: target.node, args, env } } },
  };
}

/** TOML for a value: strings and arrays as JSON (valid TOML basic strings and arrays), objects inline. */
export function toToml(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([key, v]) => `${/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)} = ${toToml(v)}`,
    );
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  if (Array.isArray(value)) return `[${value.map(toToml).join(', ')}]`;
  return JSON.stringify(value);
}

/**
 * The profile's `fleetMcp.args` with their placeholders filled in. Each result is one argv entry: the pane's
 * program gets it as is (no shell in between), so JSON and TOML quoting is all the agent needs to parse it.
 */
export function fleetMcpArgs(profile: AgentFleetMcp, target: FleetMcpTarget): string[] {
  const values = fleetMcpValues(target);
  return profile.args.map((arg) =>
    arg.replace(
      /\$\{(?:(json|toml):)?([A-Za-z]+)\}/g,
      (whole, encoding: string | undefined, name: string) => {
        if (!(name in values)) return whole;
        const value = values[name];
        if (encoding === 'json') return JSON.stringify(value);
        if (encoding === 'toml') return toToml(value);
        return typeof value === 'string' ? value : JSON.stringify(value);
      },
    ),
  );
}

/** Single quotes for a POSIX shell: the one place FleetAI builds a command line (a `bin` with shell syntax). */
export function posixQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * The fleet MCP arguments placed in a command line: before the other arguments (Claude Code's `--mcp-config`
 * takes every value up to the next option, so a prompt after it would be read as a config); for a command wrapped in
 * `/bin/sh -c "<bin> <args>"` (orchestrator.json `bin` with shell syntax), quoted into the shell line, since
 * the agent is the shell's child there.
 */
export function withFleetMcpArgs(command: string, args: readonly string[], added: string[]): string[] {
  if (added.length === 0) return [...args];
  if (isShellWrapped(command, args)) {
    const line = args[1] ?? '';
    // The line already ends with the agent's own quoted arguments (startConfiguredPane); ours follow them.
    return ['-c', `${line} ${added.map(posixQuote).join(' ')}`, ...args.slice(2)];
  }
  return [...added, ...args];
}

function isShellWrapped(command: string, args: readonly string[]): boolean {
  return /(^|\/)(ba|da)?sh$/.test(command) && args[0] === '-c' && args.length >= 2;
}
