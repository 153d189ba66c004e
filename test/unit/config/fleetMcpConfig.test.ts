import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { PaneRegistry } from '../../../extension/core/panes/paneRegistry';
import { nodePtyHost } from '../../../extension/core/panes/ptyHost';
import { startConfiguredPane } from '../../../extension/core/supervisor/configuredPane';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught, repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const registries: PaneRegistry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.disposeAll();
});

const FILE = '/ws/.fleetai/orchestrator.json';

describe('fleet_mcp in .fleetai/orchestrator.json', () => {
  it('is off unless a pane or its agent turns it on, and must be a boolean', () => {
    const config = parseOrchestratorConfig(
      FILE,
      JSON.stringify({
        agents: { codex: { fleet_mcp: true } },
        panes: [
          { id: 'a', agent: 'codex' },
          { id: 'b', agent: 'claude', fleet_mcp: true },
          { id: 'c', agent: 'codex', fleet_mcp: false },
          { id: 'd', agent: 'gemini' },
        ],
      }),
    );
    expect(config.panes.map((p) => p.fleet_mcp)).toEqual([undefined, true, false, undefined]);
    expect(config.agents.codex?.fleet_mcp).toBe(true);

    let error: unknown;
    try {
      parseOrchestratorConfig(FILE, '{\n  "panes": [{ "id": "a", "agent": "codex", "fleet_mcp": "yes" }]\n}');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ code: ErrorCode.ConfigSchema });
    expect((error as Error).message).toMatch(/orchestrator\.json:2:\d+: panes\[0\]\.fleet_mcp: .*boolean/);
  });

  it('a pane whose profile offers no MCP server is refused, naming the config field and the kind', async () => {
    const workspace = tempDir();
    mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
    const cli = path.join(workspace, 'cli.js');
    writeFileSync(cli, '// stands in for dist/cli.js\n');
    const log = createMemoryLog();
    const registry = new PaneRegistry({
      builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      paths: workspacePaths(workspace),
      ptyHost: nodePtyHost(),
      log,
      env: () => ({ PATH: process.env.PATH, HOME: process.env.HOME }),
      hookCli: cli,
    });
    registries.push(registry);
    // A shell stands in for the gemini binary (its profile is what matters: no fleetMcp).
    const config = parseOrchestratorConfig(
      FILE,
      JSON.stringify({
        agents: { gemini: { bin: '/bin/sh', fleet_mcp: true } },
        panes: [
          { id: 'g', agent: 'gemini' },
          { id: 'h', agent: 'gemini', fleet_mcp: true },
        ],
      }),
    );
    const byAgent = await caught(() =>
      startConfiguredPane(registry, config, config.panes[0]!, workspace, log),
    );
    expect(byAgent).toMatchObject({
      code: ErrorCode.ConfigSchema,
      details: { field: 'fleetMcp', kind: 'gemini' },
    });
    expect((byAgent as Error).message).toMatch(
      /^orchestrator\.json: agents\.gemini\.fleet_mcp: fleetMcp: the gemini profile gives no way/,
    );
    const byPane = await caught(() =>
      startConfiguredPane(registry, config, config.panes[1]!, workspace, log),
    );
    expect((byPane as Error).message).toMatch(/^orchestrator\.json: panes\[id=h\]\.fleet_mcp: /);
    expect(registry.list()).toEqual([]);
  });
});
