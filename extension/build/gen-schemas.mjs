// Writes the JSON Schemas editors use from the zod schemas they describe, formatted the way prettier formats
// the repository:
//   agents-config/*.schema.json       from extension/core/schemas/agentProfile.ts
//   config/orchestrator.schema.json   from extension/core/config/orchestratorConfig.ts
//   config/plan.schema.json           from extension/core/plans/planSchema.ts
//   config/mcp.servers.schema.json    from extension/core/mcp/mcpConfig.ts
//   node extension/build/gen-schemas.mjs           -> rewrite the files
//   node extension/build/gen-schemas.mjs --check   -> exit 1 when a committed file is out of date
// test/unit/agents/schema.test.ts, test/unit/config/schema.test.ts, test/unit/plans/planJsonSchema.test.ts and
// test/unit/mcp/mcpConfig.test.ts fail when they are out of date.
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('../..', import.meta.url));
const check = process.argv.includes('--check');

/** Node 20 cannot import TypeScript: bundle a schema module to a temporary ES module first. */
async function importTs(tmp, relative) {
  const outfile = path.join(tmp, `${path.basename(relative, '.ts')}.mjs`);
  await build({
    entryPoints: [path.join(root, relative)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fleetai-gen-schemas-'));
/** Repository-relative file -> JSON Schema. */
const schemas = {};
try {
  const profiles = await importTs(tmp, 'extension/core/schemas/agentProfile.ts');
  for (const [name, schema] of Object.entries(profiles.agentProfileJsonSchemas())) {
    schemas[path.join('agents-config', name)] = schema;
  }
  const orchestrator = await importTs(tmp, 'extension/core/config/orchestratorConfig.ts');
  schemas[path.join('config', orchestrator.ORCHESTRATOR_CONFIG_SCHEMA_FILE)] =
    orchestrator.orchestratorConfigJsonSchema();
  const plans = await importTs(tmp, 'extension/core/plans/planSchema.ts');
  schemas[path.join('config', plans.PLAN_SCHEMA_FILE)] = plans.planJsonSchema();
  const mcp = await importTs(tmp, 'extension/core/mcp/mcpConfig.ts');
  schemas[path.join('config', mcp.MCP_SERVERS_SCHEMA_FILE)] = mcp.mcpServersJsonSchema();
} finally {
  await rm(tmp, { recursive: true, force: true });
}

let stale = 0;
for (const [relative, schema] of Object.entries(schemas)) {
  const file = path.join(root, relative);
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  const text = await prettier.format(JSON.stringify(schema, null, 2), options);
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === text) continue;
  stale++;
  if (check) console.error(`gen-schemas: ${relative} is out of date`);
  else {
    await writeFile(file, text);
    console.log(`gen-schemas: wrote ${relative}`);
  }
}
if (check && stale > 0) {
  console.error('gen-schemas: run `node extension/build/gen-schemas.mjs` and commit the result');
  process.exit(1);
}
if (stale === 0) console.log('gen-schemas: the JSON Schemas are up to date');
