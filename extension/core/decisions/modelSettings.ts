import { z } from 'zod';
import { ErrorCode, FleetError } from '../errors';

/** The two wire formats an OpenAI-compatible endpoint may speak; many local servers only have Chat Completions. */
export const MODEL_APIS = ['responses', 'chat_completions'] as const;
export type ModelApi = (typeof MODEL_APIS)[number];

export const DEFAULT_MODEL_TIMEOUT_MS = 60_000;
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Where a setting came from, for the log and the doctor (never the value of a key). */
export type SettingSource = 'settings' | 'environment' | 'secret' | 'default';

/**
 * A model endpoint the supervisor may ask. `apiKey` is a non-enumerable property, so spreading or serialising
 * the settings (into a log context, a snapshot for a webview) leaves the key out.
 */
export interface ModelSettings {
  readonly baseURL: string;
  readonly model: string;
  readonly api: ModelApi;
  readonly timeoutMs: number;
  readonly apiKey: string | undefined;
  readonly sources: { baseURL: SettingSource; model: SettingSource; apiKey?: SettingSource };
}

/** What the host passes in: the user's settings (`fleetai.model.*`), the environment, and SecretStorage. */
export interface ModelSettingsInput {
  settings?: {
    baseUrl?: string | undefined;
    model?: string | undefined;
    /** Plain-text keys in settings are allowed for the CLI's config; the editor stores keys in SecretStorage. */
    apiKey?: string | undefined;
    api?: ModelApi | undefined;
    timeoutSeconds?: number | undefined;
  };
  env?: Record<string, string | undefined>;
  /** Asked only when neither settings nor environment carry a key (VS Code: SecretStorage). */
  getSecret?: () => Promise<string | undefined>;
}

const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

function first<T>(...candidates: [T | undefined, SettingSource][]): [T, SettingSource] | undefined {
  for (const [value, source] of candidates) if (value !== undefined) return [value, source];
  return undefined;
}

const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * Resolves the model endpoint: explicit settings first, then the environment (`FLEETAI_MODEL_BASE_URL`,
 * `FLEETAI_MODEL`, `FLEETAI_MODEL_API_KEY`, `FLEETAI_MODEL_API`, `FLEETAI_MODEL_TIMEOUT_SECONDS`), then the secret
 * getter for the key, then `OPENAI_BASE_URL`/`OPENAI_API_KEY` as a pair. Undefined when no model is named: that
 * is the normal default, and the supervisor then decides by its rules. A key or URL alone never switches model
 * decisions on (an `OPENAI_API_KEY` set for Codex must not send pane screens anywhere), and `OPENAI_API_KEY` is
 * only sent to OpenAI's URL or `OPENAI_BASE_URL`, never to a FleetAI-specific endpoint of another provider.
 * Throws E_CONFIG_INVALID naming the variable or setting when a value is unusable.
 */
export async function resolveModelSettings(
  input: ModelSettingsInput = {},
): Promise<ModelSettings | undefined> {
  const settings = input.settings ?? {};
  const env = input.env ?? process.env;

  const model = first<string>(
    [nonEmpty(settings.model), 'settings'],
    [nonEmpty(env.FLEETAI_MODEL), 'environment'],
  );
  if (!model) return undefined;

  const baseURL = first<string>(
    [nonEmpty(settings.baseUrl), 'settings'],
    [nonEmpty(env.FLEETAI_MODEL_BASE_URL), 'environment'],
    [nonEmpty(env.OPENAI_BASE_URL), 'environment'],
  ) ?? [OPENAI_BASE_URL, 'default'];
  if (!httpUrl.safeParse(baseURL[0]).success) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${baseURL[1] === 'settings' ? 'fleetai.model.baseUrl' : 'FLEETAI_MODEL_BASE_URL/OPENAI_BASE_URL'}: "${baseURL[0]}" is not an http(s) URL`,
      { source: baseURL[1] },
    );
  }

  const apiRaw = settings.api ?? nonEmpty(env.FLEETAI_MODEL_API);
  const api = z.enum(MODEL_APIS).safeParse(apiRaw ?? 'responses');
  if (!api.success) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${settings.api ? 'fleetai.model.api' : 'FLEETAI_MODEL_API'}: "${String(apiRaw)}" is not one of ${MODEL_APIS.join(', ')}`,
    );
  }

  const timeoutRaw = settings.timeoutSeconds ?? nonEmpty(env.FLEETAI_MODEL_TIMEOUT_SECONDS);
  const timeoutSeconds = timeoutRaw === undefined ? undefined : Number(timeoutRaw);
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${settings.timeoutSeconds !== undefined ? 'fleetai.model.timeoutSeconds' : 'FLEETAI_MODEL_TIMEOUT_SECONDS'}: "${String(timeoutRaw)}" is not a positive number of seconds`,
    );
  }

  let key = first<string>(
    [nonEmpty(settings.apiKey), 'settings'],
    [nonEmpty(env.FLEETAI_MODEL_API_KEY), 'environment'],
  );
  if (!key && input.getSecret) {
    const secret = nonEmpty(await input.getSecret());
    if (secret) key = [secret, 'secret'];
  }
  const openaiUrl = baseURL[1] === 'default' || baseURL[0] === nonEmpty(env.OPENAI_BASE_URL);
  if (!key && openaiUrl) {
    const openaiKey = nonEmpty(env.OPENAI_API_KEY);
    if (openaiKey) key = [openaiKey, 'environment'];
  }

  const resolved = {
    baseURL: baseURL[0].replace(/\/+$/, ''),
    model: model[0],
    api: api.data,
    timeoutMs: timeoutSeconds === undefined ? DEFAULT_MODEL_TIMEOUT_MS : Math.round(timeoutSeconds * 1000),
    sources: {
      baseURL: baseURL[1],
      model: model[1],
      ...(key ? { apiKey: key[1] } : {}),
    },
  };
  Object.defineProperty(resolved, 'apiKey', { value: key?.[0], enumerable: false });
  return resolved as ModelSettings;
}

/** What may be logged or shown about an endpoint: everything but the key, and whether there is one. */
export function describeModelSettings(settings: ModelSettings): Record<string, unknown> {
  return {
    baseURL: settings.baseURL,
    model: settings.model,
    api: settings.api,
    timeoutMs: settings.timeoutMs,
    hasKey: settings.apiKey !== undefined,
    sources: settings.sources,
  };
}

/** The `model` section of `.fleetai/orchestrator.json`, as far as the endpoint goes. */
export interface ConfigModelSection {
  base_url?: string | undefined;
  model?: string | undefined;
  api_key_env: string;
  timeout_seconds: number;
}

/**
 * The workspace config's model (its key from the variable `api_key_env` names, else `storedApiKey`, e.g. VS Code
 * SecretStorage), falling back to the environment as `resolveModelSettings` does; undefined when none is named.
 */
export function modelSettingsFromConfig(
  model: ConfigModelSection,
  env: Record<string, string | undefined> = process.env,
  storedApiKey?: string,
): Promise<ModelSettings | undefined> {
  const apiKey = env[model.api_key_env] ?? storedApiKey;
  return resolveModelSettings({
    settings: {
      ...(model.base_url !== undefined ? { baseUrl: model.base_url } : {}),
      ...(model.model !== undefined ? { model: model.model } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      timeoutSeconds: model.timeout_seconds,
    },
    env,
  });
}
