import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

import { ErrorCode, FleetError, describeError } from '../errors';

export const DEFAULT_TRANSCRIPT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_TRANSCRIPT_RETAIN_PARTS = 5;
const DEFAULT_MAX_PENDING_BYTES = 32 * 1024 * 1024;
/** Large enough to coalesce a burst of small pty chunks into one write, small enough to keep latency low. */
const MAX_BATCH_BYTES = 1024 * 1024;

export interface TranscriptOptions {
  /** Normally `workspacePaths(...).paneLogsDir`. Created on first write. */
  dir: string;
  /** The pane id; characters that are unsafe in a file name become `_`. */
  name: string;
  /** The live file is rotated before it would grow past this. */
  maxBytes?: number;
  /** How many compressed parts to keep; older ones are deleted. */
  retainParts?: number;
  /** Bytes waiting for the disk beyond which new bytes are dropped (and reported), so a stuck disk cannot eat memory. */
  maxPendingBytes?: number;
  /** Told about the first failure only; the transcript keeps going and never throws into its caller. */
  onError?: (error: FleetError) => void;
}

/**
 * A pane's raw output on disk: `<name>.log`, rotated into `<name>.<n>.log.gz` parts. `append` only queues, so
 * node-pty's data callback never waits for the disk; one append is in flight at a time, which keeps order.
 */
export class Transcript {
  readonly file: string;
  private readonly dir: string;
  private readonly base: string;
  private readonly maxBytes: number;
  private readonly retainParts: number;
  private readonly maxPendingBytes: number;
  private readonly onError: (error: FleetError) => void;

  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private pumping: Promise<void> | undefined;
  private initialized = false;
  private size = 0;
  private nextPart = 1;
  /** Compression and pruning run behind the writes, one part at a time, so parts are pruned oldest first. */
  private background: Promise<void> = Promise.resolve();
  private closed = false;
  private errorReported = false;
  private droppedBytes = 0;

  constructor(options: TranscriptOptions) {
    this.dir = options.dir;
    this.base = options.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'pane';
    this.file = path.join(this.dir, `${this.base}.log`);
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_TRANSCRIPT_MAX_BYTES);
    this.retainParts = Math.max(0, options.retainParts ?? DEFAULT_TRANSCRIPT_RETAIN_PARTS);
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.onError =
      options.onError ??
      ((error) => process.stderr.write(`FleetAI: pane transcript ${this.file}: ${error.message}\n`));
  }

  /** Bytes dropped because the disk could not keep up or writes failed. */
  get dropped(): number {
    return this.droppedBytes;
  }

  append(data: string | Uint8Array): void {
    if (this.closed) return;
    // A copy: callers (node-pty with `encoding: null`) may reuse their buffer after the callback returns.
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    if (chunk.length === 0) return;
    if (this.queuedBytes + chunk.length > this.maxPendingBytes) {
      this.droppedBytes += chunk.length;
      this.report(`more than ${this.maxPendingBytes} bytes are waiting for the disk; dropping output`);
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.pumping ??= this.pump();
  }

  /** Resolves once everything appended so far is in the file (compression of old parts may still run). */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Flushes, waits for compression and pruning, and ignores later appends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.background;
  }

  private async pump(): Promise<void> {
    if (!this.initialized) await this.initialize();
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        if (this.size > 0 && this.size + batch.length > this.maxBytes) await this.rotate();
        await this.appendWithRetry(batch);
        this.size += batch.length;
      } catch (error) {
        this.droppedBytes += batch.length;
        this.report(`cannot write: ${describeError(error)}`, error);
      }
    }
    // No await between the empty-queue check and this line, so an append cannot slip in unseen.
    this.pumping = undefined;
  }

  private takeBatch(): Buffer {
    const room = this.size > 0 && this.size < this.maxBytes ? this.maxBytes - this.size : this.maxBytes;
    const limit = Math.min(room, MAX_BATCH_BYTES);
    const taken: Buffer[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!next || (bytes > 0 && bytes + next.length > limit)) break;
      taken.push(next);
      bytes += next.length;
      this.queue.shift();
    }
    this.queuedBytes -= bytes;
    return taken.length === 1 && taken[0] ? taken[0] : Buffer.concat(taken, bytes);
  }

  private async appendWithRetry(batch: Buffer): Promise<void> {
    try {
      await appendFile(this.file, batch);
    } catch (error) {
      // The folder may have been removed under us (a user cleaning logs): recreate it once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.dir, { recursive: true });
      await appendFile(this.file, batch);
    }
  }

  /** Continues an earlier run's numbering and finishes compressing parts a crash left behind. */
  private async initialize(): Promise<void> {
    this.initialized = true;
    try {
      await mkdir(this.dir, { recursive: true });
      this.size = await stat(this.file).then(
        (s) => s.size,
        () => 0,
      );
      const parts = await this.listParts();
      this.nextPart = Math.max(0, ...parts.map((p) => p.n)) + 1;
      for (const part of parts.filter((p) => !p.compressed)) {
        // With its .gz already there, a crash came between writing the .gz and removing the plain part.
        const done = parts.some((p) => p.n === part.n && p.compressed);
        this.schedule(() => (done ? unlink(part.file) : this.compress(part.file)));
      }
      if (parts.length > 0) this.schedule(() => this.prune());
    } catch (error) {
      this.report(`cannot prepare ${this.dir}: ${describeError(error)}`, error);
    }
  }

  private async rotate(): Promise<void> {
    const part = path.join(this.dir, `${this.base}.${this.nextPart++}.log`);
    await rename(this.file, part);
    this.size = 0;
    this.schedule(async () => {
      await this.compress(part);
      await this.prune();
    });
  }

  private schedule(task: () => Promise<void>): void {
    this.background = this.background.then(task).catch((error: unknown) => {
      this.report(`cannot compress or prune old parts: ${describeError(error)}`, error);
    });
  }

  private async compress(part: string): Promise<void> {
    // Written under a temporary name, so a crash never leaves a truncated part that looks complete.
    const temporary = `${part}.gz.tmp`;
    await pipeline(createReadStream(part), createGzip(), createWriteStream(temporary));
    await rename(temporary, `${part}.gz`);
    await unlink(part);
  }

  private async prune(): Promise<void> {
    const compressed = (await this.listParts()).filter((p) => p.compressed).sort((a, b) => a.n - b.n);
    const excess = compressed.slice(0, Math.max(0, compressed.length - this.retainParts));
    for (const part of excess) await unlink(part.file);
  }

  private async listParts(): Promise<Array<{ n: number; compressed: boolean; file: string }>> {
    const pattern = new RegExp(`^${escapeRegExp(this.base)}\\.(\\d+)\\.log(\\.gz)?$`);
    const parts: Array<{ n: number; compressed: boolean; file: string }> = [];
    for (const entry of await readdir(this.dir)) {
      const match = pattern.exec(entry);
      if (match?.[1]) {
        parts.push({
          n: Number(match[1]),
          compressed: match[2] !== undefined,
          file: path.join(this.dir, entry),
        });
      }
    }
    return parts;
  }

  private report(message: string, cause?: unknown): void {
    if (this.errorReported) return;
    this.errorReported = true;
    try {
      this.onError(new FleetError(ErrorCode.PaneTranscript, message, { file: this.file }, { cause }));
    } catch {
      // The error sink itself failing must not reach the data path either.
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
