import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Entry point that VS Code's extension host calls (`extensionTestsPath`). Mocha runs every bundled
 * `*.test.js` beside this file; the host reports the outcome to the browser through `codeAutomationExit`.
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const file of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) =>
      failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve(),
    );
  });
}
