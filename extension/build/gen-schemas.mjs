// Writes the JSON Schemas of the agent profiles (agents-config/*.schema.json) from the zod schemas in
// extension/core/schemas/agentProfile.ts, formatted the way prettier formats the repository.
//   node extension/build/gen-schemas.mjs           -> rewrite the files
//   node extension/build/gen-schemas.mjs --check   -> exit 1 when a committed file is out of date
// test/unit/agents/schema.test.ts fails when they are out of date.
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('../..', import.meta.url));
const check = process.argv.includes('--check');

// Node 20 cannot import TypeScript: bundle the schema module to a temporary ES module first.
const tmp = await mkdtemp(path.join(os.tmpdir(), 'fleetai-gen-schemas-'));
let schemas;
try {
  const outfile = path.join(tmp, 'agentProfile.mjs');
  await build({
    entryPoints: [path.join(root, 'extension/core/schemas/agentProfile.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  const module = await import(pathToFileURL(outfile).href);
  schemas = module.agentProfileJsonSchemas();
} finally {
  await rm(tmp, { recursive: true, force: true });
}

let stale = 0;
for (const [name, schema] of Object.entries(schemas)) {
  const file = path.join(root, 'agents-config', name);
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  const text = await prettier.format(JSON.stringify(schema, null, 2), options);
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === text) continue;
  stale++;
  if (check) console.error(`gen-schemas: ${path.relative(root, file)} is out of date`);
  else {
    await writeFile(file, text);
    console.log(`gen-schemas: wrote ${path.relative(root, file)}`);
  }
}
if (check && stale > 0) {
  console.error('gen-schemas: run `node extension/build/gen-schemas.mjs` and commit the result');
  process.exit(1);
}
if (stale === 0) console.log('gen-schemas: agents-config schemas are up to date');
