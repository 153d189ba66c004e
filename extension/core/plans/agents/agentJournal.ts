import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * What an agent node wrote down about one key (`<thread>/<node>#<passes>/<attempt>`): the prompt was typed, and
 * later the turn's answer. A run resumed after a crash reads it to tell a node whose prompt already went to an
 * agent from one that never started, so an agent is not asked twice for work it has done.
 */
export interface AgentJournalEntry {
  key: string;
  node: string;
  pane?: string;
  /** The agent's folder (its worktree), where file criteria are checked on resume. */
  cwd?: string;
  promptSentAt?: string;
  answeredAt?: string;
  text?: string;
}

export function journalFile(journalDir: string, key: string): string {
  // Keys carry `/` and `#`: one flat, reversible file name per key.
  return path.join(journalDir, `${encodeURIComponent(key)}.json`);
}

export async function readJournal(journalDir: string, key: string): Promise<AgentJournalEntry | undefined> {
  try {
    return JSON.parse(await fs.readFile(journalFile(journalDir, key), 'utf8')) as AgentJournalEntry;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed, so a crash leaves the old entry or the new one, never half. */
export async function writeJournal(journalDir: string, entry: AgentJournalEntry): Promise<void> {
  await fs.mkdir(journalDir, { recursive: true });
  const file = journalFile(journalDir, entry.key);
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(entry, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, file);
}
