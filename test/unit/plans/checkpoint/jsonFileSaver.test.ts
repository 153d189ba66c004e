import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  ERROR,
  MemorySaver,
  emptyCheckpoint,
  uuid6,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
} from '@langchain/langgraph-checkpoint';
import { describe, expect, it } from 'vitest';
import { isFleetError } from '../../../../extension/core/errors';
import {
  checkpointsDir,
  createCheckpointer,
} from '../../../../extension/core/plans/checkpoint/createCheckpointer';
import {
  JsonFileSaver,
  type CheckpointProblem,
} from '../../../../extension/core/plans/checkpoint/jsonFileSaver';
import { workspacePaths } from '../../../../extension/core/workspacePaths';
import { caught, useTempDirs } from '../../helpers';

const tempDir = useTempDirs();

const meta = (step: number, extra: Record<string, unknown> = {}): CheckpointMetadata => ({
  source: 'loop',
  step,
  parents: {},
  ...extra,
});

function checkpoint(values: Record<string, unknown>, versions: Record<string, number>): Checkpoint {
  return { ...emptyCheckpoint(), id: uuid6(-1), channel_values: values, channel_versions: versions };
}

interface Step {
  checkpoint: Checkpoint;
  newVersions: ChannelVersions;
  writes: [string, unknown][];
  task: string;
}

/**
 * A linear run like LangGraph's: `carried` is written once, by the first checkpoint, and never changes, so every
 * later checkpoint finds it in its oldest ancestor; `counter` changes at every step; each step has pending writes.
 */
function linearRun(length: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < length; i++) {
    steps.push({
      checkpoint: checkpoint({ carried: 'written at step 0', counter: i }, { carried: 1, counter: i + 1 }),
      newVersions: i === 0 ? { carried: 1, counter: 1 } : { counter: i + 1 },
      writes: [['counter', i + 1]],
      task: `task-${i}`,
    });
  }
  return steps;
}

async function putRun(
  saver: JsonFileSaver | MemorySaver,
  threadId: string,
  steps: Step[],
  checkpointNs = '',
): Promise<RunnableConfig[]> {
  const configs: RunnableConfig[] = [];
  let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs } };
  for (const [i, step] of steps.entries()) {
    config = await saver.put(config, step.checkpoint, meta(i), step.newVersions);
    await saver.putWrites(config, step.writes, step.task);
    configs.push(config);
  }
  return configs;
}

async function listAll(
  saver: JsonFileSaver | MemorySaver,
  config: RunnableConfig,
): Promise<CheckpointTuple[]> {
  const out: CheckpointTuple[] = [];
  for await (const tuple of saver.list(config)) out.push(tuple);
  return out;
}

function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(suffix));
}

describe('JsonFileSaver on disk', () => {
  it('writes one JSON file per checkpoint and per task, with the serializer bytes in base64', async () => {
    const root = tempDir();
    const saver = new JsonFileSaver({ root });
    const [config] = await putRun(saver, 'Plan Run', linearRun(1));
    const dir = path.join(root, '_50lan_20_52un', 'root');
    const id = String(config?.configurable?.checkpoint_id);
    expect(readdirSync(dir).sort()).toEqual([`${id}.checkpoint.json`, `${id}.task-0.writes.json`]);
    const record = JSON.parse(readFileSync(path.join(dir, `${id}.checkpoint.json`), 'utf8')) as {
      thread_id: string;
      values: { channel: string; value: { type: string; base64: string } }[];
    };
    expect(record.thread_id).toBe('Plan Run');
    const counter = record.values.find((v) => v.channel === 'counter');
    expect(counter?.value.type).toBe('json');
    expect(Buffer.from(counter?.value.base64 ?? '', 'base64').toString('utf8')).toBe('0');
  });

  it('keeps thread ids that differ only in case, or look like paths, apart and inside the root', async () => {
    const root = tempDir();
    const saver = new JsonFileSaver({ root });
    await putRun(saver, 'Thread 1', linearRun(1));
    await putRun(saver, 'thread 1', linearRun(2));
    await putRun(saver, '../../outside', linearRun(1));
    expect(readdirSync(root).sort()).toEqual(['_2e_2e_2f_2e_2e_2foutside', '_54hread_201', 'thread_201']);
    const all = await listAll(saver, {});
    expect(all.map((t) => String(t.config.configurable?.thread_id)).sort()).toEqual([
      '../../outside',
      'Thread 1',
      'thread 1',
      'thread 1',
    ]);
    await saver.deleteThread('Thread 1');
    expect(await saver.getTuple({ configurable: { thread_id: 'Thread 1' } })).toBeUndefined();
    expect(
      (await saver.getTuple({ configurable: { thread_id: 'thread 1' } }))?.checkpoint.channel_values,
    ).toEqual({ carried: 'written at step 0', counter: 1 });
  });

  it('stores a regular write once and replaces a special one (error, interrupt), like every LangGraph saver', async () => {
    const saver = new JsonFileSaver({ root: tempDir() });
    const [config] = await putRun(saver, 't', linearRun(1));
    if (!config) throw new Error('no config');
    await saver.putWrites(config, [['counter', 'second try']], 'task-0');
    await saver.putWrites(config, [[ERROR, 'first error']], 'task-0');
    await saver.putWrites(config, [[ERROR, 'second error']], 'task-0');
    // Sorted by task path first: the path LangGraph passes orders a superstep's writes.
    await saver.putWrites(config, [['counter', 'from b']], 'b-task', '~1');
    await saver.putWrites(config, [['counter', 'from a']], 'a-task', '~2');
    const tuple = await saver.getTuple(config);
    expect(tuple?.pendingWrites).toEqual([
      ['task-0', ERROR, 'second error'],
      ['task-0', 'counter', 1],
      ['b-task', 'counter', 'from b'],
      ['a-task', 'counter', 'from a'],
    ]);
  });

  it('leaves no temporary file behind, and removes those a dead process left', async () => {
    const root = tempDir();
    const saver = new JsonFileSaver({ root, keep: 5 });
    await putRun(saver, 't', linearRun(1));
    const dir = path.join(root, 't', 'root');
    const stale = path.join(dir, '.x.checkpoint.json.999.aaaaaaaaaaaa.tmp');
    const fresh = path.join(dir, '.y.checkpoint.json.999.bbbbbbbbbbbb.tmp');
    writeFileSync(stale, '{');
    writeFileSync(fresh, '{');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(stale, hourAgo, hourAgo);
    await putRun(saver, 't', linearRun(1));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([path.basename(fresh)]);
  });
});

describe('JsonFileSaver pruning', () => {
  it('keeps the 20 newest checkpoints of a thread and their writes, and they read exactly as before', async () => {
    const steps = linearRun(30);
    const root = tempDir();
    const pruned = new JsonFileSaver({ root });
    const reference = new MemorySaver();
    const configs = await putRun(pruned, 'run', steps);
    await putRun(reference, 'run', steps);

    const dir = path.join(root, 'run', 'root');
    expect(filesIn(dir, '.checkpoint.json')).toHaveLength(20);
    expect(filesIn(dir, '.writes.json')).toHaveLength(20);
    const keptIds = configs.slice(10).map((c) => String(c.configurable?.checkpoint_id));
    expect(filesIn(dir, '.checkpoint.json').sort()).toEqual(
      keptIds.map((id) => `${id}.checkpoint.json`).sort(),
    );

    // Each file holds every value it needs (the unchanged ones copied from its parent), so pruning had nothing to
    // copy and a reader never opens another checkpoint's file.
    for (const name of filesIn(dir, '.checkpoint.json')) {
      const record = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {
        standalone?: true;
        values: { channel: string }[];
      };
      expect(record.standalone).toBe(true);
      expect(record.values.map((v) => v.channel).sort()).toEqual(['carried', 'counter']);
    }

    const listed = await listAll(pruned, { configurable: { thread_id: 'run' } });
    expect(listed.map((t) => t.checkpoint.id)).toEqual([...keptIds].reverse());
    const expected = (await listAll(reference, { configurable: { thread_id: 'run' } })).slice(0, 20);
    // The oldest kept checkpoint's parent is gone, yet it still has the value only step 0 wrote.
    expect(listed).toEqual(expected);
    expect(listed.at(-1)?.checkpoint.channel_values).toEqual({ carried: 'written at step 0', counter: 10 });
    expect(await pruned.getTuple(configs[9] ?? {})).toBeUndefined();

    // A new saver (another process, a restart) reads the same.
    const again = new JsonFileSaver({ root });
    expect(await again.getTuple({ configurable: { thread_id: 'run' } })).toEqual(
      await reference.getTuple({ configurable: { thread_id: 'run' } }),
    );
    expect(pruned.problems()).toEqual([]);
  });

  it('prunes each namespace (subgraph) on its own', async () => {
    const root = tempDir();
    const saver = new JsonFileSaver({ root, keep: 3 });
    await putRun(saver, 'run', linearRun(5));
    await putRun(saver, 'run', linearRun(2), 'child:1');
    expect(filesIn(path.join(root, 'run', 'root'), '.checkpoint.json')).toHaveLength(3);
    expect(filesIn(path.join(root, 'run', 'ns-child_3a1'), '.checkpoint.json')).toHaveLength(2);
    const child = await saver.getTuple({ configurable: { thread_id: 'run', checkpoint_ns: 'child:1' } });
    expect(child?.config.configurable?.checkpoint_ns).toBe('child:1');
  });

  it('keeps everything with keep: Infinity', async () => {
    const root = tempDir();
    await putRun(new JsonFileSaver({ root, keep: Number.POSITIVE_INFINITY }), 'run', linearRun(25));
    expect(filesIn(path.join(root, 'run', 'root'), '.checkpoint.json')).toHaveLength(25);
  });

  it('does not prune a thread that uses DeltaChannels, and says so once', async () => {
    const root = tempDir();
    const problems: CheckpointProblem[] = [];
    const saver = new JsonFileSaver({ root, keep: 2, onProblem: (p) => problems.push(p) });
    let config: RunnableConfig = { configurable: { thread_id: 'delta' } };
    for (const [i, step] of linearRun(5).entries()) {
      const metadata = meta(i, { counters_since_delta_snapshot: { messages: [i, i] } });
      config = await saver.put(config, step.checkpoint, metadata, step.newVersions);
    }
    expect(filesIn(path.join(root, 'delta', 'root'), '.checkpoint.json')).toHaveLength(5);
    expect(problems).toEqual([
      {
        kind: 'prune-skipped',
        folder: path.join(root, 'delta', 'root'),
        message: expect.stringContaining('DeltaChannel') as unknown,
      },
    ]);
  });

  it('stays consistent when two savers (as two processes would) write and read one thread at once', async () => {
    const root = tempDir();
    const problems: CheckpointProblem[] = [];
    const a = new JsonFileSaver({ root, keep: 5, onProblem: (p) => problems.push(p) });
    const b = new JsonFileSaver({ root, keep: 5, onProblem: (p) => problems.push(p) });
    const config0: RunnableConfig = { configurable: { thread_id: 'shared' } };
    let config = config0;
    let writing = true;
    // Readers that never stop while the puts go on, so that reads land between a prune's copy and its deletes.
    const reader = async (saver: JsonFileSaver) => {
      const seen: CheckpointTuple[] = [];
      while (writing) {
        seen.push(...(await listAll(saver, config0)));
        const latest = await saver.getTuple(config0);
        if (latest) seen.push(latest);
      }
      return seen;
    };
    const reads = [reader(a), reader(b)];
    for (const [i, step] of linearRun(40).entries()) {
      // Each saver has its own queue, so the other one's puts and prunes interleave with this one's.
      const writer = i % 2 === 0 ? a : b;
      config = await writer.put(config, step.checkpoint, meta(i), step.newVersions);
      await writer.putWrites(config, step.writes, step.task);
    }
    writing = false;
    const seen = (await Promise.all(reads)).flat();
    expect(seen.length).toBeGreaterThan(100);
    for (const tuple of seen) expect(tuple.checkpoint.channel_values.carried).toBe('written at step 0');
    expect(filesIn(path.join(root, 'shared', 'root'), '.checkpoint.json')).toHaveLength(5);
    const latest = await a.getTuple(config0);
    expect(latest?.checkpoint.channel_values).toEqual({ carried: 'written at step 0', counter: 39 });
    expect(problems).toEqual([]);
  });
  /**
   * Normally each checkpoint holds every value (the unchanged ones copied from its parent when it is put). One put
   * while its parent could not be read (here: damaged for a moment) holds only its changes and needs its
   * ancestors; pruning must copy what it needs into it before deleting them.
   */
  async function runWithIncompleteCheckpoint(root: string) {
    const problems: CheckpointProblem[] = [];
    const writer = new JsonFileSaver({ root, keep: 3, onProblem: (p) => problems.push(p) });
    const steps = linearRun(4);
    const dir = path.join(root, 'run', 'root');
    const [first] = await putRun(writer, 'run', steps.slice(0, 1));
    const firstFile = path.join(dir, `${String(first?.configurable?.checkpoint_id)}.checkpoint.json`);
    const good = readFileSync(firstFile);
    writeFileSync(firstFile, '{ damaged for a moment');
    const step1 = steps[1];
    if (!first || !step1) throw new Error('no run');
    // Another saver (this one remembers the parent it just put and would not read the file).
    const other = new JsonFileSaver({ root, keep: 3, onProblem: (p) => problems.push(p) });
    const incomplete = await other.put(first, step1.checkpoint, meta(1), step1.newVersions);
    writeFileSync(firstFile, good);
    const incompleteFile = path.join(
      dir,
      `${String(incomplete.configurable?.checkpoint_id)}.checkpoint.json`,
    );
    const record = JSON.parse(readFileSync(incompleteFile, 'utf8')) as {
      standalone?: true;
      values: unknown[];
    };
    expect(record.standalone).toBeUndefined();
    expect(record.values).toHaveLength(1);
    expect(problems.map((p) => p.kind === 'damaged' && p.file)).toEqual([firstFile]);
    // Still readable through its parent.
    expect((await writer.getTuple(incomplete))?.checkpoint.channel_values).toEqual({
      carried: 'written at step 0',
      counter: 1,
    });
    return { writer, steps, dir, first, incomplete, incompleteFile };
  }

  it('copies into a kept checkpoint what it needs from the ancestors it deletes', async () => {
    const root = tempDir();
    const { writer, steps, dir, first, incomplete, incompleteFile } = await runWithIncompleteCheckpoint(root);
    let config = incomplete;
    for (const [i, step] of steps.slice(2).entries()) {
      config = await writer.put(config, step.checkpoint, meta(i + 2), step.newVersions);
    }
    expect(filesIn(dir, '.checkpoint.json')).toHaveLength(3);
    expect(await writer.getTuple(first ?? {})).toBeUndefined();
    const record = JSON.parse(readFileSync(incompleteFile, 'utf8')) as { standalone?: true };
    expect(record.standalone).toBe(true);
    expect((await new JsonFileSaver({ root }).getTuple(incomplete))?.checkpoint.channel_values).toEqual({
      carried: 'written at step 0',
      counter: 1,
    });
  });

  it('reads a checkpoint right even when another process prunes its ancestors in the middle of the read', async () => {
    const root = tempDir();
    const { writer, steps, incomplete, incompleteFile } = await runWithIncompleteCheckpoint(root);
    const reader = new JsonFileSaver({ root, keep: 3 });
    const stale = readFileSync(incompleteFile, 'utf8');
    // The window is a few microseconds wide between two file reads, too narrow to hit on purpose with real
    // timing: the reader is handed the checkpoint file as it was before the writer's prune (the only stand-in in
    // this file), and the prune really happens on disk in between.
    const internals = reader as unknown as {
      readCheckpoint: (dir: string, id: string, expected?: unknown) => Promise<unknown>;
    };
    const realRead = internals.readCheckpoint.bind(reader);
    let staleServed = false;
    internals.readCheckpoint = async (folder, id, expected) => {
      if (!staleServed && id === incomplete.configurable?.checkpoint_id) {
        staleServed = true;
        let config = incomplete;
        for (const [i, step] of steps.slice(2).entries()) {
          config = await writer.put(config, step.checkpoint, meta(i + 2), step.newVersions);
        }
        return JSON.parse(stale) as unknown;
      }
      return realRead(folder, id, expected);
    };
    const tuple = await reader.getTuple(incomplete);
    expect(staleServed).toBe(true);
    expect(tuple?.checkpoint.channel_values).toEqual({ carried: 'written at step 0', counter: 1 });
  });
});

describe('JsonFileSaver and damaged files', () => {
  async function threeCheckpoints(root: string) {
    const problems: CheckpointProblem[] = [];
    const saver = new JsonFileSaver({ root, onProblem: (p) => problems.push(p) });
    // Every checkpoint writes all its channels, so none needs another's file to be read.
    const steps = linearRun(3).map((s) => ({ ...s, newVersions: s.checkpoint.channel_versions }));
    const configs = await putRun(saver, 'run', steps);
    const ids = configs.map((c) => String(c.configurable?.checkpoint_id));
    const fileOf = (i: number) => path.join(root, 'run', 'root', `${ids[i]}.checkpoint.json`);
    return { saver, problems, configs, ids, fileOf };
  }

  it('lists the other checkpoints and reports the damaged file with its path, once', async () => {
    const { saver, problems, ids, fileOf } = await threeCheckpoints(tempDir());
    writeFileSync(fileOf(1), '{ "format": "fleetai.checkpoint/1", ');
    const listed = await listAll(saver, { configurable: { thread_id: 'run' } });
    expect(listed.map((t) => t.checkpoint.id)).toEqual([ids[2], ids[0]]);
    await listAll(saver, { configurable: { thread_id: 'run' } });
    expect(problems).toEqual([
      {
        kind: 'damaged',
        file: fileOf(1),
        code: 'E_STORE_PARSE',
        message: expect.stringContaining(fileOf(1)) as unknown,
      },
    ]);
    expect(saver.problems()).toEqual(problems);
  });

  it('refuses to read a damaged checkpoint instead of falling back to an older one', async () => {
    const { saver, configs, fileOf } = await threeCheckpoints(tempDir());
    writeFileSync(fileOf(2), JSON.stringify({ format: 'fleetai.checkpoint/1', thread_id: 'run' }));
    const error = await caught(() => saver.getTuple({ configurable: { thread_id: 'run' } }));
    expect(isFleetError(error) && error.code).toBe('E_STORE_SCHEMA');
    expect((error as Error).message).toContain(fileOf(2));
    expect((await saver.getTuple(configs[1] ?? {}))?.checkpoint.channel_values.counter).toBe(1);
  });

  it('reports a file that holds another checkpoint than its name says', async () => {
    const { saver, configs, ids, fileOf } = await threeCheckpoints(tempDir());
    writeFileSync(fileOf(1), readFileSync(fileOf(0)));
    const listed = await listAll(saver, { configurable: { thread_id: 'run' } });
    expect(listed.map((t) => t.checkpoint.id)).toEqual([ids[2], ids[0]]);
    const error = await caught(() => saver.getTuple(configs[1] ?? {}));
    expect((error as Error).message).toMatch(/does not belong under this name/);
    expect(saver.problems().map((p) => p.kind === 'damaged' && p.file)).toEqual([fileOf(1)]);
  });

  it('refuses a checkpoint whose pending writes are damaged, naming the writes file', async () => {
    const root = tempDir();
    const { saver, ids } = await threeCheckpoints(root);
    const writesFile = path.join(root, 'run', 'root', `${ids[2]}.task-2.writes.json`);
    writeFileSync(writesFile, 'not json');
    const error = await caught(() => saver.getTuple({ configurable: { thread_id: 'run' } }));
    expect((error as Error).message).toContain(writesFile);
    expect(await listAll(saver, { configurable: { thread_id: 'run' } })).toHaveLength(2);
  });

  it('refuses a stored value the serializer cannot read back', async () => {
    const { saver, fileOf } = await threeCheckpoints(tempDir());
    const record = JSON.parse(readFileSync(fileOf(2), 'utf8')) as { metadata: { base64: string } };
    record.metadata.base64 = Buffer.from('{ not json').toString('base64');
    writeFileSync(fileOf(2), JSON.stringify(record));
    const error = await caught(() => saver.getTuple({ configurable: { thread_id: 'run' } }));
    expect(isFleetError(error) && error.code).toBe('E_STORE_PARSE');
    expect((error as Error).message).toContain(fileOf(2));
  });
});

describe('createCheckpointer', () => {
  it('gives a JSON file saver under .fleetai/state/checkpoints, or LangGraph MemorySaver', () => {
    const workspace = tempDir();
    const root = checkpointsDir(workspacePaths(workspace));
    expect(root).toBe(path.join(workspace, '.fleetai', 'state', 'checkpoints'));
    const json = createCheckpointer({ mode: 'json', root, keep: 7 });
    expect(json).toBeInstanceOf(JsonFileSaver);
    expect((json as JsonFileSaver).keep).toBe(7);
    expect((json as JsonFileSaver).root).toBe(root);
    expect(createCheckpointer({ mode: 'memory' })).toBeInstanceOf(MemorySaver);
    expect(() => new JsonFileSaver({ root, keep: 0 })).toThrow(/keep must be at least 1/);
  });
});
