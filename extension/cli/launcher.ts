import * as path from 'node:path';

/**
 * `dist/cli.js`, the `fleet` command: a few hundred bytes that pick what to load. An agent's hook and a person's
 * approval from a terminal or a phone shortcut are waited for, so they load small bundles of their own
 * (`hook.js`, `approve.js`); everything else loads the whole CLI (`fleet.js`), whose compilation alone costs
 * ~25 ms.
 */
const [command, ...rest] = process.argv.slice(2);
const asksForHelp = rest.some((a) => a === '-h' || a === '--help');
const bundle =
  command === 'hook' && !asksForHelp
    ? 'hook.js'
    : (command === 'approvals:approve' || command === 'approvals:deny') && !asksForHelp
      ? 'approve.js'
      : 'fleet.js';
if (bundle === 'hook.js') process.argv.splice(2, 1);
// A computed path: esbuild leaves this require to Node, which loads the sibling bundle at run time.
const load = require as (id: string) => unknown;
load(path.join(__dirname, bundle));
