import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { McpJournalEntry } from '../../../extension/core/mcp/mcpWorkPort';
import { bundleScript, useTempDirs } from '../helpers';
import { everythingStdio, writeWorkspaceServers } from './mcpFixtures';

const tempDir = useTempDirs();

function journal(workspace: string): McpJournalEntry[] {
  const dir = path.join(workspace, '.fleetai/state/mcp-journal');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as McpJournalEntry);
}

describe('a plan run killed with SIGKILL during an MCP tool call', () => {
  it('resumes with the same journal key: the started call of a read-only tool runs again once and its result is journaled', async () => {
    const dir = tempDir();
    const bundle = await bundleScript('test/unit/mcp/crashMcpPlan.ts', dir);
    const workspace = path.join(dir, 'ws');
    mkdirSync(workspace);
    writeWorkspaceServers(workspace, { everything: everythingStdio() });
    const env = { ...process.env, WORKSPACE: workspace };

    const first = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    first.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.on('exit', (_c, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 30_000;
    // Kill once the call is journaled as started (it then runs for 60 s).
    while (!(out.includes('slow running') && journal(workspace).length === 1)) {
      if (Date.now() > deadline) throw new Error(`the call never started: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const [started] = journal(workspace);
    expect(started).toMatchObject({ server: 'everything', tool: 'trigger-long-running-operation' });
    expect(started?.result).toBeUndefined();

    const second = spawnSync(process.execPath, [bundle], {
      env: { ...env, THREAD: 'mcp-crash', DURATION: '0.2' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.stdout).toContain('result done');
    expect(second.stdout.match(/^invoke /gm)).toHaveLength(1);
    // The resumed node used the same key: still one journal entry, now with the result.
    const entries = journal(workspace);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.key).toBe(started?.key);
    expect(entries[0]?.result).toMatchObject({ ok: true });
    // Two processes, a bundle and a server each: about 5 s on a quiet machine, more under load.
  }, 90_000);
});
