import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
  type WritesSortKey,
} from '@langchain/langgraph-checkpoint';
import { ErrorCode, FleetError, describeError, isFleetError } from '../../errors';
import { readJson, writeJsonAtomic } from '../../store/jsonStore';
import {
  checkpointFileName,
  encodeName,
  hasReversibleName,
  namespaceFolder,
  parseEntryName,
  writesFileName,
} from './fileNames';
import {
  CHECKPOINT_FORMAT,
  CheckpointRecordSchema,
  WRITES_FORMAT,
  WritesRecordSchema,
  type ChannelValue,
  type CheckpointRecord,
  type Serialized,
  type StoredWrite,
  type WritesRecord,
} from './records';
import { SerialQueue } from './serialQueue';

/** How many checkpoints each thread keeps (per namespace) unless told otherwise. */
export const DEFAULT_KEEP = 20;
/** A temporary file of an atomic write older than this was left by a process that died mid-write. */
const STALE_TEMP_MS = 10 * 60_000;

export type CheckpointProblem =
  /** A file that cannot be read, is not JSON, does not fit its schema, or holds another checkpoint than its name. */
  | { kind: 'damaged'; file: string; code: string; message: string }
  /** Pruning did not run for a namespace folder (see the message); nothing was lost, the folder just grows. */
  | { kind: 'prune-skipped'; folder: string; message: string };

export interface JsonFileSaverOptions {
  /** The folder holding one folder per thread, normally `<workspace>/.fleetai/state/checkpoints`. */
  root: string;
  /**
   * Checkpoints kept per thread and namespace, newest first (default 20); older ones and their pending writes are
   * deleted after each `put`. `Infinity` keeps everything.
   */
  keep?: number;
  /** LangGraph's serializer by default (JsonPlusSerializer). */
  serde?: SerializerProtocol;
  /** Told about every damaged file (once per file and problem) and every pruning that could not run. */
  onProblem?: (problem: CheckpointProblem) => void;
}

interface FolderEntries {
  checkpoints: Set<string>;
  /** Writes file names by checkpoint id. */
  writes: Map<string, string[]>;
  /** Leftovers of atomic writes (`.<name>.<pid>.<random>.tmp`). */
  temps: string[];
}

interface Collected {
  values: Map<string, ChannelValue>;
  /** False when an ancestor disappeared under the walk (pruned by someone else): the values may be incomplete. */
  complete: boolean;
}

/**
 * A LangGraph checkpointer that keeps each thread in a folder of JSON files:
 *
 *     <root>/<thread>/root/<checkpoint id>.checkpoint.json               one per checkpoint
 *     <root>/<thread>/root/<checkpoint id>.<task id>.writes.json         one per task that wrote against it
 *     <root>/<thread>/ns-<namespace>/...                                 the same for each subgraph namespace
 *
 * (names made safe by fileNames.ts). Every file is written whole with writeJsonAtomic (temporary file, fsync,
 * rename), so a crash leaves the previous state, never half a file.
 *
 * Channel values follow LangGraph's contract for savers: a checkpoint has the value of each channel at the version
 * its `channel_versions` names, as stored by the `put` whose `newVersions` named that version (so a channel never
 * stored has no value). To make that cheap to read, a checkpoint file also holds the unchanged values, copied
 * from its parent when it is put (`standalone`); only a checkpoint put while its parent could not be read needs
 * its ancestors, and pruning copies what it needs into it before deleting them.
 *
 * Damaged files: `getTuple` throws a FleetError naming the file (E_STORE_READ / E_STORE_PARSE / E_STORE_SCHEMA)
 * rather than fall back to an older checkpoint, which would run finished nodes again; `list` skips the tuple and
 * reports the file through `onProblem` and `problems()`, so one bad file never hides the others.
 *
 * Concurrency: within one saver, writes to a thread are serialised in call order. Several savers or processes on
 * one folder never corrupt a file or lose a checkpoint (every checkpoint has its own file, every file is replaced
 * atomically, and pruning copies what the kept checkpoints need before deleting and tolerates files vanishing
 * under it), but they do not coordinate: two runs of one thread fork it, and two processes writing the same
 * task's writes on the same checkpoint keep the last one. Run one executor per thread.
 */
export class JsonFileSaver extends BaseCheckpointSaver {
  readonly root: string;
  readonly keep: number;
  private readonly onProblem: ((problem: CheckpointProblem) => void) | undefined;
  private readonly queue = new SerialQueue();
  /** Parent and `standalone` of the checkpoint files this saver wrote or read, so pruning need not read them. */
  private readonly known = new Map<string, { parent: string | null; standalone: boolean }>();
  /** The last checkpoint put in each namespace folder (a few): normally the parent of the next one. */
  private readonly recent = new Map<string, CheckpointRecord>();
  private readonly reported = new Map<string, CheckpointProblem>();

  constructor(options: JsonFileSaverOptions) {
    super(options.serde);
    this.root = path.resolve(options.root);
    const keep = options.keep ?? DEFAULT_KEEP;
    if (!(keep >= 1)) throw new RangeError(`keep must be at least 1 (or Infinity), not ${keep}`);
    this.keep = keep;
    this.onProblem = options.onProblem;
  }

  /** Every problem reported so far (damaged files, skipped pruning), once each. */
  problems(): CheckpointProblem[] {
    return [...this.reported.values()];
  }

  threadFolder(threadId: string): string {
    return path.join(this.root, encodeName(threadId));
  }

  namespaceFolder(threadId: string, checkpointNs: string): string {
    return path.join(this.threadFolder(threadId), namespaceFolder(checkpointNs));
  }

  /** Resolves once every write queued so far is on disk. */
  async flush(): Promise<void> {
    await this.queue.idle();
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = optionalThreadId(config);
    if (threadId === undefined) return undefined;
    const checkpointNs = namespaceOf(config);
    const dir = this.namespaceFolder(threadId, checkpointNs);
    const entries = await this.readFolder(dir);
    const wanted = checkpointIdOf(config) ?? newest(entries.checkpoints);
    if (wanted === undefined || !entries.checkpoints.has(wanted)) return undefined;
    try {
      const record = await this.readCheckpoint(dir, wanted, { threadId, checkpointNs });
      return record && (await this.toTuple(dir, record, entries));
    } catch (error) {
      this.reportDamage(error);
      throw error;
    }
  }

  override async *list(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple> {
    const { limit, before, filter } = options ?? {};
    const threadId = optionalThreadId(config);
    const checkpointNs: unknown = config.configurable?.checkpoint_ns;
    const onlyId = checkpointIdOf(config);
    const beforeId = before ? checkpointIdOf(before) : undefined;

    const threadDirs =
      threadId !== undefined ? [this.threadFolder(threadId)] : await subfolders(this.root, () => true);
    const candidates: { id: string; dir: string; entries: FolderEntries }[] = [];
    for (const threadDir of threadDirs) {
      const nsDirs =
        typeof checkpointNs === 'string'
          ? [path.join(threadDir, namespaceFolder(checkpointNs))]
          : await subfolders(threadDir, (name) => name === 'root' || name.startsWith('ns-'));
      for (const dir of nsDirs) {
        const entries = await this.readFolder(dir);
        for (const id of entries.checkpoints) {
          if (onlyId !== undefined && id !== onlyId) continue;
          if (beforeId !== undefined && id >= beforeId) continue;
          candidates.push({ id, dir, entries });
        }
      }
    }
    // Newest first across threads and namespaces: uuid6 ids sort by time.
    candidates.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

    let remaining = limit;
    for (const { id, dir, entries } of candidates) {
      if (remaining !== undefined && remaining <= 0) return;
      let tuple: CheckpointTuple | undefined;
      try {
        const expected =
          threadId !== undefined && typeof checkpointNs === 'string' ? { threadId, checkpointNs } : undefined;
        const record = await this.readCheckpoint(dir, id, expected);
        if (record === undefined) continue; // pruned since the folder was read
        const file = path.join(dir, checkpointFileName(id));
        const metadata = (await this.load(file, record.metadata)) as CheckpointMetadata;
        if (filter && !matchesFilter(metadata, filter)) continue;
        tuple = await this.toTuple(dir, record, entries, metadata);
      } catch (error) {
        if (!this.reportDamage(error)) throw error;
        continue;
      }
      if (remaining !== undefined) remaining -= 1;
      yield tuple;
    }
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = requiredThreadId(config, 'put a checkpoint');
    const checkpointNs = namespaceOf(config);
    if (!hasReversibleName(checkpoint.id)) {
      throw new TypeError(
        `Checkpoint id ${JSON.stringify(checkpoint.id)} is empty or too long for a file name`,
      );
    }
    const parentId = checkpointIdOf(config) ?? null;
    const copy = copyCheckpoint(checkpoint);
    const values: ChannelValue[] = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      const value: unknown = Object.hasOwn(copy.channel_values, channel)
        ? copy.channel_values[channel]
        : undefined;
      values.push(
        value === undefined
          ? { channel, version, empty: true }
          : { channel, version, value: await this.dump(value) },
      );
    }
    const usesDeltaChannels = Object.keys(metadata?.counters_since_delta_snapshot ?? {}).length > 0;
    const record: CheckpointRecord = {
      format: CHECKPOINT_FORMAT,
      thread_id: threadId,
      checkpoint_ns: checkpointNs,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: parentId,
      ts: checkpoint.ts,
      ...(typeof metadata?.step === 'number' ? { step: metadata.step } : {}),
      ...(typeof metadata?.source === 'string' ? { source: metadata.source } : {}),
      channel_versions: { ...copy.channel_versions },
      checkpoint: await this.dump({ ...copy, channel_values: {} }),
      metadata: await this.dump(metadata),
      values,
      ...(usesDeltaChannels ? { delta_channels: true as const } : {}),
    };
    const dir = this.namespaceFolder(threadId, checkpointNs);
    const file = path.join(dir, checkpointFileName(checkpoint.id));
    await this.queue.run(this.threadFolder(threadId), async () => {
      // The unchanged channels are copied from the parent, so that reading this checkpoint (and pruning its
      // ancestors) never needs another file. Read here, behind the parent's own put.
      const inherited =
        parentId === null ? { values: [], complete: true } : await this.resolvedValues(dir, parentId);
      const changed = new Set(values.map((v) => v.channel));
      for (const value of inherited?.values ?? []) {
        if (!changed.has(value.channel) && record.channel_versions[value.channel] === value.version) {
          record.values.push(value);
        }
      }
      if (inherited?.complete) record.standalone = true;
      await writeJsonAtomic(file, record);
      this.remember(dir, file, record);
      await this.prune(dir, record);
    });
    return {
      configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id },
    };
  }

  override async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    const threadId = requiredThreadId(config, 'put writes');
    const checkpointId = checkpointIdOf(config);
    if (checkpointId === undefined) {
      throw new TypeError('Cannot put writes: config.configurable.checkpoint_id is missing');
    }
    if (!hasReversibleName(checkpointId)) {
      throw new TypeError(`Checkpoint id ${JSON.stringify(checkpointId)} is too long for a file name`);
    }
    if (typeof taskId !== 'string' || taskId === '')
      throw new TypeError('Cannot put writes without a task id');
    const checkpointNs = namespaceOf(config);
    const incoming: StoredWrite[] = [];
    for (const [index, [channel, value]] of writes.entries()) {
      incoming.push({ idx: WRITES_IDX_MAP[channel] ?? index, channel, value: await this.dump(value) });
    }
    const file = path.join(
      this.namespaceFolder(threadId, checkpointNs),
      writesFileName(checkpointId, taskId),
    );
    await this.queue.run(this.threadFolder(threadId), async () => {
      const existing = await readJson(file, WritesRecordSchema);
      const byIdx = new Map<number, StoredWrite>((existing?.writes ?? []).map((w) => [w.idx, w]));
      for (const write of incoming) {
        // Like every LangGraph saver: a regular write is stored once, a special one (error, interrupt) replaced.
        if (write.idx >= 0 && byIdx.has(write.idx)) continue;
        byIdx.set(write.idx, write);
      }
      const record: WritesRecord = {
        format: WRITES_FORMAT,
        thread_id: threadId,
        checkpoint_ns: checkpointNs,
        checkpoint_id: checkpointId,
        task_id: taskId,
        task_path: taskPath ?? existing?.task_path ?? '',
        writes: [...byIdx.values()],
      };
      await writeJsonAtomic(file, record);
    });
  }

  override async deleteThread(threadId: string): Promise<void> {
    if (typeof threadId !== 'string' || threadId === '')
      throw new TypeError('deleteThread needs a thread id');
    const dir = this.threadFolder(threadId);
    await this.queue.run(dir, async () => {
      await fs.rm(dir, { recursive: true, force: true });
      for (const file of [...this.known.keys()]) if (file.startsWith(dir + path.sep)) this.known.delete(file);
      for (const folder of [...this.recent.keys()])
        if (folder.startsWith(dir + path.sep)) this.recent.delete(folder);
    });
  }

  // ---- reading ----

  private async readFolder(dir: string): Promise<FolderEntries> {
    const entries: FolderEntries = { checkpoints: new Set(), writes: new Map(), temps: [] };
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return entries;
      throw error;
    }
    for (const name of names) {
      const entry = parseEntryName(name);
      if (entry?.kind === 'checkpoint') entries.checkpoints.add(entry.checkpointId);
      else if (entry?.kind === 'writes') {
        const list = entries.writes.get(entry.checkpointId);
        if (list) list.push(name);
        else entries.writes.set(entry.checkpointId, [name]);
      } else if (name.startsWith('.') && name.endsWith('.tmp')) entries.temps.push(name);
    }
    return entries;
  }

  /** The record of a checkpoint, undefined if its file is gone; a FleetError naming the file if it is damaged. */
  private async readCheckpoint(
    dir: string,
    checkpointId: string,
    expected?: { threadId: string; checkpointNs: string },
  ): Promise<CheckpointRecord | undefined> {
    const file = path.join(dir, checkpointFileName(checkpointId));
    const record = await readJson(file, CheckpointRecordSchema);
    if (record === undefined) return undefined;
    const misplaced =
      record.checkpoint_id !== checkpointId ||
      (expected !== undefined &&
        (record.thread_id !== expected.threadId || record.checkpoint_ns !== expected.checkpointNs));
    if (misplaced) {
      throw new FleetError(
        ErrorCode.StoreSchema,
        `${file}: holds checkpoint ${record.checkpoint_id} of thread ${JSON.stringify(record.thread_id)}, ` +
          `which does not belong under this name (copied or renamed by hand?)`,
        { file },
      );
    }
    if (Number.isFinite(this.keep)) {
      this.known.set(file, { parent: record.parent_checkpoint_id, standalone: record.standalone === true });
    }
    return record;
  }

  private async toTuple(
    dir: string,
    record: CheckpointRecord,
    entries: FolderEntries,
    loadedMetadata?: CheckpointMetadata,
  ): Promise<CheckpointTuple> {
    const file = path.join(dir, checkpointFileName(record.checkpoint_id));
    const checkpoint = (await this.load(file, record.checkpoint)) as Checkpoint;
    const collected = await this.collectValues(dir, record);
    checkpoint.channel_values = await this.loadValues(file, collected.values);
    const metadata = loadedMetadata ?? ((await this.load(file, record.metadata)) as CheckpointMetadata);
    const pendingWrites = await this.readPendingWrites(dir, record, entries.writes.get(record.checkpoint_id));
    const parentId = record.parent_checkpoint_id;
    if (checkpoint.v < 4 && parentId !== null)
      await this.migratePendingSends(dir, record, checkpoint, parentId);
    const config = {
      configurable: {
        thread_id: record.thread_id,
        checkpoint_ns: record.checkpoint_ns,
        checkpoint_id: record.checkpoint_id,
      },
    };
    return {
      config,
      checkpoint,
      metadata,
      pendingWrites,
      ...(parentId !== null
        ? {
            parentConfig: {
              configurable: {
                thread_id: record.thread_id,
                checkpoint_ns: record.checkpoint_ns,
                checkpoint_id: parentId,
              },
            },
          }
        : {}),
    };
  }

  /**
   * The stored value of each channel at the version the checkpoint names, from the checkpoint itself or, for the
   * channels it did not change, from the nearest ancestor that did. A channel found nowhere has no value.
   */
  private async collectValues(dir: string, start: CheckpointRecord): Promise<Collected> {
    const wanted = new Map(Object.entries(start.channel_versions));
    let values = new Map<string, ChannelValue>();
    let complete = true;
    let retried = false;
    let current: CheckpointRecord | undefined = start;
    while (current) {
      for (const stored of current.values) {
        if (!values.has(stored.channel) && wanted.get(stored.channel) === stored.version) {
          values.set(stored.channel, stored);
        }
      }
      const parentId: string | null = current.parent_checkpoint_id;
      if (values.size === wanted.size || parentId === null || current.standalone) break;
      const parent = await this.readCheckpoint(dir, parentId);
      if (parent === undefined) {
        // Pruning (here or in another process) copies what the kept checkpoints need into them before it deletes
        // their ancestors; the copy of `start` read before that happened is stale, so read it again once.
        const again = retried ? undefined : await this.readCheckpoint(dir, start.checkpoint_id);
        retried = true;
        if (again) {
          values = new Map();
          current = again;
          continue;
        }
        complete = false;
      }
      current = parent;
    }
    return { values, complete };
  }

  /**
   * The values a checkpoint holds or finds in its ancestors, for its child to copy; `complete` when nothing can be
   * missing. Undefined when the parent is gone or damaged (reported): the child then stores its changes only.
   */
  private async resolvedValues(
    dir: string,
    checkpointId: string,
  ): Promise<{ values: ChannelValue[]; complete: boolean } | undefined> {
    try {
      const cached = this.recent.get(dir);
      const record =
        cached?.checkpoint_id === checkpointId ? cached : await this.readCheckpoint(dir, checkpointId);
      if (record === undefined) return undefined;
      if (record.standalone) return { values: record.values, complete: true };
      const collected = await this.collectValues(dir, record);
      return { values: [...collected.values.values()], complete: collected.complete };
    } catch (error) {
      if (!this.reportDamage(error)) throw error;
      return undefined;
    }
  }

  private remember(dir: string, file: string, record: CheckpointRecord): void {
    // A cache: threads that never reach `keep` leave entries behind, so a long-lived process starts it afresh.
    if (this.known.size > 10_000) this.known.clear();
    if (Number.isFinite(this.keep)) {
      this.known.set(file, { parent: record.parent_checkpoint_id, standalone: record.standalone === true });
    }
    this.recent.delete(dir);
    this.recent.set(dir, record);
    // A handful of namespaces run at once (a plan and its subgraphs); older entries are only a cache.
    for (const folder of this.recent.keys()) {
      if (this.recent.size <= 16) break;
      this.recent.delete(folder);
    }
  }

  private async loadValues(
    file: string,
    values: Map<string, ChannelValue>,
  ): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [channel, stored] of values) {
      if (!('value' in stored)) continue;
      // defineProperty: a channel named `__proto__` must become a key, not a prototype.
      Object.defineProperty(out, channel, {
        value: await this.load(file, stored.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  private async readWritesRecords(
    dir: string,
    record: Pick<CheckpointRecord, 'thread_id' | 'checkpoint_ns' | 'checkpoint_id'>,
    names: readonly string[] | undefined,
  ): Promise<{ file: string; writes: WritesRecord }[]> {
    const out: { file: string; writes: WritesRecord }[] = [];
    for (const name of names ?? []) {
      const file = path.join(dir, name);
      const writes = await readJson(file, WritesRecordSchema);
      if (writes === undefined) continue; // pruned since the folder was read
      if (
        writes.checkpoint_id !== record.checkpoint_id ||
        writes.thread_id !== record.thread_id ||
        writes.checkpoint_ns !== record.checkpoint_ns
      ) {
        throw new FleetError(
          ErrorCode.StoreSchema,
          `${file}: holds writes for checkpoint ${writes.checkpoint_id} of thread ` +
            `${JSON.stringify(writes.thread_id)}, which do not belong under this name (copied or renamed by hand?)`,
          { file },
        );
      }
      out.push({ file, writes });
    }
    return out;
  }

  /** Pending writes in LangGraph's order (task path, task id, index): the order live execution applies them. */
  private async readPendingWrites(
    dir: string,
    record: CheckpointRecord,
    names: readonly string[] | undefined,
  ): Promise<CheckpointPendingWrite[]> {
    const keyed: { key: WritesSortKey; file: string; taskId: string; write: StoredWrite }[] = [];
    for (const { file, writes } of await this.readWritesRecords(dir, record, names)) {
      for (const write of writes.writes) {
        keyed.push({
          key: writesSortKey(writes.task_path, writes.task_id, write.idx),
          file,
          taskId: writes.task_id,
          write,
        });
      }
    }
    keyed.sort((a, b) => compareWritesSortKeys(a.key, b.key));
    const out: CheckpointPendingWrite[] = [];
    for (const { file, taskId, write } of keyed) {
      out.push([taskId, write.channel, await this.load(file, write.value)]);
    }
    return out;
  }

  /**
   * Checkpoints older than format 4 kept pending `Send`s as writes of their parent to the TASKS channel; LangGraph
   * expects a saver to move them into the checkpoint when it loads one (as MemorySaver and the database savers do).
   */
  private async migratePendingSends(
    dir: string,
    record: CheckpointRecord,
    checkpoint: Checkpoint,
    parentId: string,
  ): Promise<void> {
    const parent = { ...record, checkpoint_id: parentId };
    const names = (await this.readFolder(dir)).writes.get(parentId);
    const writes = await this.readPendingWrites(dir, parent, names);
    checkpoint.channel_values ??= {};
    checkpoint.channel_values[TASKS] = writes
      .filter(([, channel]) => channel === TASKS)
      .map(([, , value]) => value);
    checkpoint.channel_versions ??= {};
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] =
      versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  // ---- pruning ----

  /**
   * Keeps the `keep` newest checkpoints of a namespace folder. A kept checkpoint whose parent goes first receives
   * every value it took from its ancestors, so it reads the same afterwards; only then are files deleted, the pending
   * writes of a checkpoint before the checkpoint itself. A failure stops pruning (the put has succeeded already) and
   * is reported.
   */
  private async prune(dir: string, justWritten: CheckpointRecord): Promise<void> {
    if (!Number.isFinite(this.keep)) return;
    try {
      const entries = await this.readFolder(dir);
      await this.removeStaleTemps(dir, entries.temps);
      if (entries.checkpoints.size <= this.keep) return;
      if (justWritten.delta_channels) {
        // A DeltaChannel's value is rebuilt from the writes of every ancestor back to its last snapshot, which
        // pruning would delete.
        this.report({
          kind: 'prune-skipped',
          folder: dir,
          message: `${dir}: not pruned, the thread uses LangGraph DeltaChannels whose state lives in older checkpoints`,
        });
        return;
      }
      const ids = [...entries.checkpoints].sort().reverse();
      const kept = new Set(ids.slice(0, this.keep));
      const dropped = ids.slice(this.keep);
      for (const id of kept) {
        const file = path.join(dir, checkpointFileName(id));
        let info = this.known.get(file);
        if (info === undefined) {
          const record = await this.readCheckpoint(dir, id);
          info = { parent: record?.parent_checkpoint_id ?? null, standalone: record?.standalone === true };
        }
        if (!info.standalone && info.parent !== null && !kept.has(info.parent))
          await this.materialize(dir, id);
      }
      const oldestKept = ids[this.keep - 1] ?? '';
      const orphanWrites = [...entries.writes.keys()].filter(
        (id) => !entries.checkpoints.has(id) && id < oldestKept,
      );
      for (const id of [...dropped, ...orphanWrites]) {
        for (const name of entries.writes.get(id) ?? []) await fs.rm(path.join(dir, name), { force: true });
        const file = path.join(dir, checkpointFileName(id));
        if (entries.checkpoints.has(id)) await fs.rm(file, { force: true });
        this.known.delete(file);
      }
    } catch (error) {
      if (!this.reportDamage(error)) {
        this.report({
          kind: 'prune-skipped',
          folder: dir,
          message: `${dir}: pruning failed, ${describeError(error)}`,
        });
      }
    }
  }

  /** Rewrites a checkpoint so that it holds every value it needs, none left in its ancestors. */
  private async materialize(dir: string, checkpointId: string): Promise<void> {
    const file = path.join(dir, checkpointFileName(checkpointId));
    const record = await this.readCheckpoint(dir, checkpointId);
    if (record === undefined || record.standalone) return;
    const collected = await this.collectValues(dir, record);
    // An ancestor already gone means whoever deleted it materialised this checkpoint first: nothing to add, and
    // writing what this walk found could replace that complete copy with a partial one.
    if (!collected.complete) return;
    const own = new Set(record.values.map((v) => `${v.channel}\u0000${String(v.version)}`));
    const added = [...collected.values.values()].filter(
      (v) => !own.has(`${v.channel}\u0000${String(v.version)}`),
    );
    await writeJsonAtomic(file, { ...record, values: [...record.values, ...added], standalone: true });
    this.known.set(file, { parent: record.parent_checkpoint_id, standalone: true });
  }

  private async removeStaleTemps(dir: string, temps: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const name of temps) {
      const file = path.join(dir, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat && now - stat.mtimeMs > STALE_TEMP_MS) await fs.rm(file, { force: true });
    }
  }

  // ---- serialisation and reporting ----

  private async dump(value: unknown): Promise<Serialized> {
    const [type, bytes] = await this.serde.dumpsTyped(value);
    return { type, base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }

  private async load(file: string, stored: Serialized): Promise<unknown> {
    try {
      // A plain Uint8Array, not a Buffer: the "bytes" type hands it back as the value.
      const bytes = new Uint8Array(Buffer.from(stored.base64, 'base64'));
      return (await this.serde.loadsTyped(stored.type, bytes)) as unknown;
    } catch (error) {
      throw new FleetError(
        ErrorCode.StoreParse,
        `${file}: a stored value cannot be read back (${describeError(error)})`,
        { file },
        { cause: error },
      );
    }
  }

  /** Reports a FleetError about a file; false for anything else (a bug, a failing disk), which must propagate. */
  private reportDamage(error: unknown): boolean {
    if (!isFleetError(error) || typeof error.details?.file !== 'string') return false;
    if (error.code === ErrorCode.StoreWrite || error.code === ErrorCode.StateWrite) return false;
    this.report({ kind: 'damaged', file: error.details.file, code: error.code, message: error.message });
    return true;
  }

  private report(problem: CheckpointProblem): void {
    const key = `${problem.kind}\u0000${'file' in problem ? problem.file : problem.folder}\u0000${problem.message}`;
    if (this.reported.has(key)) return;
    this.reported.set(key, problem);
    this.onProblem?.(problem);
  }
}

function optionalThreadId(config: RunnableConfig): string | undefined {
  const threadId: unknown = config.configurable?.thread_id;
  if (threadId === undefined) return undefined;
  if (typeof threadId !== 'string' || threadId === '') {
    throw new TypeError(
      `config.configurable.thread_id must be a non-empty string, not ${JSON.stringify(threadId)}`,
    );
  }
  return threadId;
}

function requiredThreadId(config: RunnableConfig, action: string): string {
  const threadId = optionalThreadId(config);
  if (threadId === undefined) {
    throw new TypeError(
      `Cannot ${action}: config.configurable.thread_id is missing (pass { configurable: { thread_id } })`,
    );
  }
  return threadId;
}

function namespaceOf(config: RunnableConfig): string {
  const ns: unknown = config.configurable?.checkpoint_ns;
  if (ns === undefined) return '';
  if (typeof ns !== 'string') throw new TypeError('config.configurable.checkpoint_ns must be a string');
  return ns;
}

function checkpointIdOf(config: RunnableConfig): string | undefined {
  const id: unknown = config.configurable?.checkpoint_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function newest(ids: Set<string>): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (best === undefined || id > best) best = id;
  return best;
}

function matchesFilter(metadata: CheckpointMetadata, filter: Record<string, unknown>): boolean {
  const fields = metadata as Record<string, unknown>;
  return Object.entries(filter).every(([key, value]) => isDeepStrictEqual(fields[key], value));
}

/** Absolute paths of the folders in `dir` whose names pass `accept`; none when `dir` does not exist. */
async function subfolders(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && accept(e.name)).map((e) => path.join(dir, e.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
