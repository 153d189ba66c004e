import { z } from 'zod';

/**
 * What the JSON file checkpointer keeps on disk. Values go through LangGraph's serializer (`serde.dumpsTyped`), and
 * its bytes are stored as base64 next to the type it names, so whatever the serializer can round-trip (class
 * instances, `Send`, `Command`, `DeltaSnapshot`, binary) survives a file. The few plain fields beside them (ids,
 * channel versions, step) are what the saver needs to find, sort, prune and rebuild without decoding every blob,
 * and what a person needs to tell the files apart.
 */
export const CHECKPOINT_FORMAT = 'fleetai.checkpoint/1';
export const WRITES_FORMAT = 'fleetai.writes/1';

export const SerializedSchema = z.object({ type: z.string().min(1), base64: z.string() });
export type Serialized = z.infer<typeof SerializedSchema>;

const VersionSchema = z.union([z.number(), z.string()]);

/**
 * A channel's value at one version. `empty` records that the channel had no value at that version (a trigger
 * channel that was consumed), so that rebuilding a checkpoint stops there instead of searching every ancestor.
 */
export const ChannelValueSchema = z.union([
  z.object({ channel: z.string(), version: VersionSchema, empty: z.literal(true) }),
  z.object({ channel: z.string(), version: VersionSchema, value: SerializedSchema }),
]);
export type ChannelValue = z.infer<typeof ChannelValueSchema>;

export const CheckpointRecordSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  thread_id: z.string().min(1),
  checkpoint_ns: z.string(),
  checkpoint_id: z.string().min(1),
  parent_checkpoint_id: z.string().min(1).nullable(),
  /** For people reading the folder; the checkpoint blob is the truth. */
  ts: z.string().optional(),
  step: z.number().optional(),
  source: z.string().optional(),
  channel_versions: z.record(z.string(), VersionSchema),
  /** The checkpoint with its `channel_values` emptied: they live in `values`. */
  checkpoint: SerializedSchema,
  metadata: SerializedSchema,
  /**
   * The channels whose version changed in this checkpoint (LangGraph's `newVersions`), and, when `standalone`,
   * the unchanged ones at the version `channel_versions` names, copied from the parent. A value that is not here
   * is looked for in the ancestors.
   */
  values: z.array(ChannelValueSchema),
  /**
   * Every value `channel_versions` names that exists anywhere is in `values`: the ones that changed, and the
   * others copied from the parent when this checkpoint was put (or from the ancestors when pruning removed them).
   * Reading it never needs another file. Missing only when the parent could not be read at the time.
   */
  standalone: z.literal(true).optional(),
  /** The thread uses LangGraph's DeltaChannel: its state lives in the ancestors' writes, so it is never pruned. */
  delta_channels: z.literal(true).optional(),
});
export type CheckpointRecord = z.infer<typeof CheckpointRecordSchema>;

export const StoredWriteSchema = z.object({
  /** LangGraph's index: the write's position, or a negative one for special channels (error, interrupt, resume). */
  idx: z.number().int(),
  channel: z.string(),
  value: SerializedSchema,
});
export type StoredWrite = z.infer<typeof StoredWriteSchema>;

/** The pending writes one task made against one checkpoint. */
export const WritesRecordSchema = z.object({
  format: z.literal(WRITES_FORMAT),
  thread_id: z.string().min(1),
  checkpoint_ns: z.string(),
  checkpoint_id: z.string().min(1),
  task_id: z.string().min(1),
  task_path: z.string(),
  writes: z.array(StoredWriteSchema),
});
export type WritesRecord = z.infer<typeof WritesRecordSchema>;
