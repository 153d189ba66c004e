import type * as AgentsModule from '@openai/agents';
import type * as OpenAIModule from 'openai';
import type { ModelCallError, ModelResult } from '../../decisions/modelDecider';
import type { ModelSettings } from '../../decisions/modelSettings';
import { ErrorCode, describeError } from '../../errors';
import type { Logger } from '../../observability/appLog';
import { formatIssues } from '../../schemas/issues';
import { designSchema, type Design } from './designSchema';

/** What the Designer needs of a model: one structured answer per request. Tests may pass their own. */
export interface DesignModel {
  /** The model's name, for messages ("designed with gpt-5"). */
  readonly name: string;
  design(request: { instructions: string; input: string }): Promise<ModelResult<Design>>;
}

interface Sdk {
  agents: typeof AgentsModule;
  openai: typeof OpenAIModule;
}

let sdkLoading: Promise<Sdk> | undefined;

/**
 * Loaded on the first design, like the decider's: `modelSdk` is its own bundle (dist/model.js). Tracing is
 * switched off before any run so nothing is posted to api.openai.com.
 *
 * TEMPORARY DUPLICATE of `createModelDecider`'s runner and error classification (modelDecider.ts keeps its
 * generic `call` private): when modelDecider exports it (see the designer's report), this file becomes a
 * thin call of it.
 */
function loadSdk(): Promise<Sdk> {
  sdkLoading ??= (async () => {
    const { agents, openai } = await import('../../decisions/modelSdk');
    agents.setTracingDisabled(true);
    agents.setTraceProcessors([]);
    return { agents, openai };
  })();
  sdkLoading.catch(() => (sdkLoading = undefined));
  return sdkLoading;
}

/** The configured endpoint (`resolveModelSettings`) as a design model, through `@openai/agents`. */
export function createDesignModel(settings: ModelSettings, options: { log: Logger }): DesignModel {
  let runner: InstanceType<Sdk['agents']['Runner']> | undefined;
  return {
    name: settings.model,
    async design(request) {
      const started = performance.now();
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, settings.timeoutMs);
      let result: { ok: true; value: Design } | { ok: false; error: ModelCallError };
      let sdk: Sdk | undefined;
      try {
        sdk = await loadSdk();
        runner ??= new sdk.agents.Runner({
          modelProvider: new sdk.agents.OpenAIProvider({
            openAIClient: new sdk.openai.OpenAI({
              baseURL: settings.baseURL,
              apiKey: settings.apiKey ?? 'no-key',
              organization: null,
              project: null,
              timeout: 10 * 60_000,
              maxRetries: 1,
            }),
            useResponses: settings.api === 'responses',
          }),
          model: settings.model,
          tracingDisabled: true,
          traceIncludeSensitiveData: false,
        });
        const agent = new sdk.agents.Agent({
          name: 'fleetai-design',
          instructions: request.instructions,
          outputType: designSchema,
          modelSettings: { store: false },
        });
        const run = await runner.run(agent, request.input, { signal: controller.signal, maxTurns: 1 });
        const checked = designSchema.safeParse(run.finalOutput);
        result = checked.success
          ? { ok: true, value: checked.data }
          : { ok: false, error: badOutput(formatIssues(checked.error.issues)) };
      } catch (error) {
        result = { ok: false, error: classify(error, sdk, settings, timedOut) };
      } finally {
        clearTimeout(timer);
      }
      const latencyMs = Math.round(performance.now() - started);
      if (result.ok) options.log.info('plans', 'design.model.call', { latencyMs, model: settings.model });
      else
        options.log.warn('plans', 'design.model.call.failed', {
          latencyMs,
          model: settings.model,
          baseURL: settings.baseURL,
          code: result.error.code,
          error: result.error.message,
        });
      return result.ok
        ? { ok: true, value: result.value, latencyMs }
        : { ok: false, error: result.error, latencyMs };
    },
  };
}

function badOutput(problems: readonly string[]): ModelCallError {
  return {
    code: ErrorCode.ModelBadOutput,
    message: `The model's answer does not fit the design schema: ${problems.join('; ')}`,
    details: { problems },
  };
}

function classify(
  error: unknown,
  sdk: Sdk | undefined,
  settings: ModelSettings,
  timedOut: boolean,
): ModelCallError {
  const url = settings.baseURL;
  if (timedOut || (sdk && error instanceof sdk.openai.APIConnectionTimeoutError))
    return {
      code: ErrorCode.ModelTimeout,
      message: `No answer from the model at ${url} within ${settings.timeoutMs / 1000} s`,
      details: { url, timeoutMs: settings.timeoutMs },
    };
  if (sdk && error instanceof sdk.openai.APIConnectionError)
    return {
      code: ErrorCode.ModelUnreachable,
      message: `Cannot reach the model at ${url}: ${describeError(error)}`,
      details: { url },
    };
  if (sdk && error instanceof sdk.openai.APIError && typeof error.status === 'number')
    return {
      code: ErrorCode.ModelHttp,
      message: `The model at ${url} answered HTTP ${error.status}: ${describeError(error)}`,
      details: { url, status: error.status },
    };
  if (sdk && error instanceof sdk.agents.ModelBehaviorError)
    return badOutput([`(root): ${describeError(error)}`]);
  return {
    code: ErrorCode.Internal,
    message: `Model call failed: ${describeError(error)}`,
    details: { url },
  };
}
