import { ChannelFailure } from '../channelFailure';

/**
 * Where a channel's URL (its secret) comes from: an environment variable, or VS Code SecretStorage passed in by
 * the VS Code host. Read again before each send, and remembered so the masking knows it.
 */
export interface SecretSource {
  /** What to tell a person to set, e.g. "WECOM_WEBHOOK" or "the FleetAI: Set WeCom Webhook command". */
  readonly describe: string;
  read(): Promise<string | undefined> | string | undefined;
}

export function envSecret(name: string, env: () => Record<string, string | undefined>): SecretSource {
  return { describe: name, read: () => env()[name]?.trim() || undefined };
}

/** The first of `sources` that holds a value (SecretStorage first, then the environment). */
export function firstSecret(sources: SecretSource[]): SecretSource {
  return {
    describe: sources.map((s) => s.describe).join(' or '),
    read: async () => {
      for (const source of sources) {
        const value = await source.read();
        if (value) return value;
      }
      return undefined;
    },
  };
}

/** Reads a source and keeps every value it ever gave, for `RemoteChannel.secrets()`. */
export class RememberedSecret {
  private readonly seen = new Set<string>();
  constructor(readonly source: SecretSource) {}

  async read(): Promise<string | undefined> {
    const value = await this.source.read();
    if (value) this.seen.add(value);
    return value;
  }

  values(): readonly string[] {
    return [...this.seen];
  }

  /** Why this URL cannot be used now (unset, not http(s)), or undefined when it can. */
  async urlProblem(): Promise<string | undefined> {
    const value = await this.read();
    if (!value) return `${this.source.describe} is not set`;
    if (!isHttpUrl(value)) return `${this.source.describe} is not an http(s) URL`;
    return undefined;
  }

  /** The value, or the channel failure a send reports when it is gone. */
  async require(): Promise<string> {
    const value = await this.read();
    if (!value) throw new ChannelFailure('missing', `${this.source.describe} is not set`);
    return value;
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
