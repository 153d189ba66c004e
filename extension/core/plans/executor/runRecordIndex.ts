import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PLANS_DIR } from '../planStore';
import { readRunRecord, type RunRecord } from './runRecord';

interface Entry {
  /** A record is replaced by a rename: a new inode, so inode + mtime + size tell a changed file. */
  stamp: string;
  record: RunRecord;
}

/**
 * The run records of a workspace, newest first, kept between calls: a call lists the runs folders and stats
 * each file, and reads again only the files that changed. The plan graph asks every second while it is open;
 * `listRuns` reads and parses every record each time (300 runs of 30 nodes: about 350 ms here).
 */
export class RunRecordIndex {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly stateDir: string) {}

  async list(): Promise<RunRecord[]> {
    const plansDir = path.join(this.stateDir, PLANS_DIR);
    const planIds = await fs.readdir(plansDir).catch(() => [] as string[]);
    const seen = new Set<string>();
    await Promise.all(
      planIds.map(async (planId) => {
        const dir = path.join(plansDir, planId, 'runs');
        const names = await fs.readdir(dir).catch(() => [] as string[]);
        await Promise.all(
          names
            .filter((name) => name.endsWith('.json'))
            .map(async (name) => {
              const file = path.join(dir, name);
              const stat = await fs.stat(file).catch(() => undefined);
              if (!stat) return;
              seen.add(file);
              const stamp = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
              if (this.entries.get(file)?.stamp === stamp) return;
              const record = await readRunRecord(file);
              if (record) this.entries.set(file, { stamp, record });
              else this.entries.delete(file);
            }),
        );
      }),
    );
    for (const file of [...this.entries.keys()]) if (!seen.has(file)) this.entries.delete(file);
    return [...this.entries.values()]
      .map((entry) => entry.record)
      .sort((a, b) => b.started.localeCompare(a.started));
  }
}
