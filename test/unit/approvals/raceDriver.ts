/**
 * A separate process for the exactly-once tests, bundled by esbuild in the test (Node 20 cannot run TypeScript).
 *   decide <approvalsDir> <id> <by> <goFile>   waits for goFile, answers `approve`, prints the result as JSON
 *   hold <approvalsDir>                         takes the store's lock, prints "locked" and keeps it until killed
 */
import { existsSync } from 'node:fs';
import { ApprovalStore } from '../../../extension/core/approvals/approvalStore';
import type { DecidedBy } from '../../../extension/core/approvals/approvalRecords';

async function main(): Promise<void> {
  const [mode, dir, id, by, goFile] = process.argv.slice(2);
  if (!dir) throw new Error('usage: decide|hold <approvalsDir> ...');
  const store = new ApprovalStore({ approvalsDir: dir, lockStaleMs: 5000 });
  const lockfile = await import('proper-lockfile');
  if (mode === 'hold') {
    await lockfile.lock(store.dir, { lockfilePath: store.lockFile, realpath: false, stale: 5000 });
    process.stdout.write('locked\n');
    setInterval(() => undefined, 60_000);
    return;
  }
  if (mode !== 'decide' || !id || !by || !goFile) throw new Error(`bad arguments: ${process.argv.join(' ')}`);
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await new Promise((resolve) => setTimeout(resolve, 2));
  const result = await store.decide(id, 'approve', { by: by as DecidedBy, message: `pid ${process.pid}` });
  const line = result.ok
    ? { ok: true, by, decidedBy: result.record.decidedBy }
    : { ok: false, by, code: result.error.code, details: result.error.details };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
