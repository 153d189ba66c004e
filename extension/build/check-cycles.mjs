// Fails when the import graph of the given folders has a cycle: cycles make load order matter and hide layering
// mistakes. Uses madge, which reads TypeScript imports (type-only imports included).
import madge from 'madge';
import { fileURLToPath } from 'node:url';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: check-cycles.mjs DIR...');
  process.exit(2);
}
const result = await madge(dirs, {
  fileExtensions: ['ts', 'tsx'],
  tsConfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
  excludeRegExp: [/node_modules/, /\.d\.ts$/],
  detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
});
const cycles = result.circular();
if (cycles.length > 0) {
  console.error(`Circular imports (${cycles.length}):`);
  for (const cycle of cycles) console.error(`  ${[...cycle, cycle[0]].join(' -> ')}`);
  process.exit(1);
}
console.log(
  `check-cycles: no circular imports in ${Object.keys(result.obj()).length} files (${dirs.join(', ')})`,
);
