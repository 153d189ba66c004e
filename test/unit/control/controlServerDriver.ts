// A supervisor's control channel in a process of its own, for supervisorOwner.test.ts (bundled by esbuild there):
// `node driver.cjs <controlFile> <socket>` serves `status` until killed, and prints "ready" once listening.
import { startControlServer } from '../../../extension/core/control/controlServer';
import { createAppLog } from '../../../extension/core/observability/appLog';

const [controlFile, socket] = process.argv.slice(2);
if (!controlFile || !socket) throw new Error('usage: driver <controlFile> <socket>');
const log = createAppLog({ file: `${controlFile}.log` });
void startControlServer({
  preferredSocket: socket,
  controlFile,
  workspace: process.cwd(),
  log,
  handler: () => Promise.resolve({ pid: process.pid }),
}).then(() => process.stdout.write('ready\n'));
