import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeTextAtomic } from './jsonStore';

/**
 * Writes and removes a small file in `dir`: resolves when the folder takes writes, rejects with E_STATE_WRITE
 * (naming the probe file and the OS code) when the disk refuses them.
 */
export async function probeWritable(dir: string): Promise<void> {
  const probe = path.join(dir, `.fleetai-write-probe-${process.pid}`);
  await writeTextAtomic(probe, 'probe\n');
  await fs.rm(probe, { force: true });
}
