import { setTimeout as delay } from 'node:timers/promises';

export interface PacingOptions {
  /**
   * Pause between the typed text and the submit key. Codex takes an Enter that follows typed text at once as a
   * pasted newline, not as "send": it needs about 500 ms.
   */
  submitDelayMs: number;
  /** Pause between typed characters, for agents that drop or reorder fast input. Default 0: one write. */
  charDelayMs?: number;
  /** What "submit" sends. Default "\r", which is what the Enter key sends on a terminal. */
  submitKeys?: string;
}

export type Sleep = (ms: number) => Promise<void>;

export interface InputPacerOptions extends PacingOptions {
  write: (data: string) => void;
  /** Injected so tests run without real waiting. */
  sleep?: Sleep;
  /** Whether the agent takes input now; checked before each item sent with `whenReady`. Default: always. */
  isReady?: () => boolean;
}

export interface SendOptions {
  submit: boolean;
  /** Wait until the agent is ready before typing (default true): typing into a busy agent steers or queues it. */
  whenReady?: boolean;
}

interface Item {
  text: string;
  submit: boolean;
  whenReady: boolean;
  done: (sent: boolean) => void;
}

export const DEFAULT_SUBMIT_KEYS = '\r';

const realSleep: Sleep = (ms) => delay(ms);

/**
 * Types text into an agent the way a person would: one message at a time, in order, with the pauses that agent
 * needs, and only when it is ready for input.
 */
export class InputPacer {
  private readonly queue: Item[] = [];
  private readonly write: (data: string) => void;
  private readonly sleep: Sleep;
  private readonly submitDelayMs: number;
  private readonly charDelayMs: number;
  private readonly submitKeys: string;
  private isReady: () => boolean;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Bumped by `cancel`, so an item being typed stops between characters. */
  private generation = 0;
  private disposed = false;

  constructor(options: InputPacerOptions) {
    this.write = options.write;
    this.sleep = options.sleep ?? realSleep;
    this.submitDelayMs = Math.max(0, options.submitDelayMs);
    this.charDelayMs = Math.max(0, options.charDelayMs ?? 0);
    this.submitKeys = options.submitKeys ?? DEFAULT_SUBMIT_KEYS;
    this.isReady = options.isReady ?? (() => true);
  }

  /** Items queued or being typed. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves true once the text (and submit key) was written, false when cancelled first. Never rejects. */
  send(text: string, options: SendOptions): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    return new Promise((done) => {
      this.queue.push({ text, submit: options.submit, whenReady: options.whenReady ?? true, done });
      this.running ??= this.run();
      // A waiting run loop must look again: this item may not need readiness.
      this.notifyReady();
    });
  }

  setReadiness(isReady: () => boolean): void {
    this.isReady = isReady;
    this.notifyReady();
  }

  /** Readiness may have changed: look again, and type what was waiting if the agent is ready now. */
  notifyReady(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Drops everything queued (their promises resolve false) and stops the item being typed. */
  cancel(): void {
    this.generation++;
    for (const item of this.queue.splice(0)) item.done(false);
    this.notifyReady();
  }

  /** Cancels and refuses later sends. */
  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  /**
   * Types items in order, except that an item sent without `whenReady` (an answer to a prompt, a key press) is
   * never held behind text that waits for the agent to be ready: it would wait for a prompt only it can answer.
   */
  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const generation = this.generation;
      const ready = this.safeIsReady();
      const index = this.queue.findIndex((i) => !i.whenReady || ready);
      if (index < 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const item = this.queue[index] as Item;
      const sent = await this.type(item, generation);
      if (generation === this.generation) {
        this.queue.splice(this.queue.indexOf(item), 1);
        item.done(sent);
      }
    }
    this.running = undefined;
  }

  private async type(item: Item, generation: number): Promise<boolean> {
    try {
      if (this.charDelayMs > 0) {
        // By code point, so a character outside the BMP is never split into lone surrogates.
        const chars = Array.from(item.text);
        for (const [index, char] of chars.entries()) {
          if (index > 0) await this.sleep(this.charDelayMs);
          if (generation !== this.generation) return false;
          this.write(char);
        }
      } else if (item.text !== '') {
        this.write(item.text);
      }
      if (item.submit) {
        if (item.text !== '' && this.submitDelayMs > 0) await this.sleep(this.submitDelayMs);
        if (generation !== this.generation) return false;
        this.write(this.submitKeys);
      }
      return true;
    } catch {
      return false;
    }
  }

  private safeIsReady(): boolean {
    try {
      return this.isReady();
    } catch {
      // A broken readiness hook must not wedge input forever; the agent answers for what it receives.
      return true;
    }
  }
}
