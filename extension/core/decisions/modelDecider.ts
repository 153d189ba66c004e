import type * as AgentsModule from '@openai/agents';
import type * as OpenAIModule from 'openai';
import type { z } from 'zod';
import { ErrorCode, describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import { formatIssues } from '../schemas/issues';
import {
  compactContext,
  type ContextLimits,
  type DecisionContext,
  type RiskRequest,
} from './decisionContext';
import {
  checkDecomposition,
  decisionSchema,
  decompositionSchema,
  normaliseDecision,
  normaliseDecomposition,
  riskJudgementSchema,
  stricter,
  summarySchema,
  type Decision,
  type DecomposedTask,
  type Phase,
  type RiskLevel,
  type Summary,
} from './decisionSchema';
import { describeModelSettings, type ModelSettings } from './modelSettings';
import { PHASE_PROMPTS, type PromptName, type PromptTemplates } from './promptTemplates';

export type ModelOperation = 'decide' | 'summarize' | 'decompose' | 'judge' | 'design' | 'profile' | 'review';

export interface ModelCallError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Every call resolves to one of these; nothing is thrown into the supervisor. */
export type ModelResult<T> =
  { ok: true; value: T; latencyMs: number } | { ok: false; error: ModelCallError; latencyMs: number };

/** One finished call, for `orchestrator_decision_latency_seconds` and `orchestrator_decision_errors_total`. */
export interface ModelCallRecord {
  op: ModelOperation;
  ok: boolean;
  code?: ErrorCode;
  latencyMs: number;
  model: string;
}

export interface RiskJudgement {
  /** The stricter of the baseline and the model's level. */
  risk: RiskLevel;
  /** What the model said on its own, for the audit trail. */
  modelRisk: RiskLevel;
  reason: string;
}

export interface CallOptions {
  /** Overrides the endpoint's timeout for this call. */
  timeoutMs?: number;
}

export interface ModelDecider {
  /** False when no model is configured: every call then answers E_MODEL_NOT_CONFIGURED at once. */
  readonly configured: boolean;
  decide(context: DecisionContext, options?: CallOptions): Promise<ModelResult<Decision>>;
  summarize(
    transcriptTail: string | readonly string[],
    previousSummary?: string,
    options?: CallOptions,
  ): Promise<ModelResult<Summary>>;
  decompose(
    requirementsText: string,
    task?: string,
    options?: CallOptions,
  ): Promise<ModelResult<DecomposedTask[]>>;
  judgeRisk(request: RiskRequest, options?: CallOptions): Promise<ModelResult<RiskJudgement>>;
}

export interface ModelDeciderOptions {
  log: Logger;
  templates: PromptTemplates;
  /** Told about every call (latency and outcome); the metrics registry hangs here. */
  onCall?: (record: ModelCallRecord) => void;
  /** Which template decides in which phase; defaults to `PHASE_PROMPTS`. */
  phasePrompts?: Partial<Record<Phase, PromptName>>;
  contextLimits?: ContextLimits;
  /** Words for `summarize` (the summary template's {{max_words}}). Default 150. */
  summaryWords?: number;
  /** The most tasks `decompose` asks for. Default 12. */
  maxTasks?: number;
  /** Transcript lines sent to `summarize`. Default 200. */
  transcriptLines?: number;
}

const CATEGORY = 'decisions';

// Types only: erased from the bundle, so neither library is loaded before `loadSdk`.
type AgentsSdk = typeof AgentsModule;
type OpenAISdk = typeof OpenAIModule;
interface Sdk {
  agents: AgentsSdk;
  openai: OpenAISdk;
}

let sdkLoading: Promise<Sdk> | undefined;

/**
 * `@openai/agents` (and the OpenAI client under it) load on the first model call, never at activation. Importing
 * it registers OpenAI's trace exporter, which would post every run to api.openai.com: FleetAI talks to the
 * configured endpoint only, so tracing is switched off and its processors dropped before any run.
 */
export function loadSdk(): Promise<Sdk> {
  sdkLoading ??= (async () => {
    const { agents, openai } = await import('./modelSdk');
    agents.setTracingDisabled(true);
    agents.setTraceProcessors([]);
    return { agents, openai };
  })();
  // A failed import (a broken install) is retried by the next call rather than remembered forever.
  sdkLoading.catch(() => (sdkLoading = undefined));
  return sdkLoading;
}

/** A decider for when no model is configured: the supervisor keeps to its rules. */
function unconfiguredDecider(): ModelDecider {
  const none = <T>(): Promise<ModelResult<T>> =>
    Promise.resolve({
      ok: false,
      error: {
        code: ErrorCode.ModelNotConfigured,
        message: 'No model is configured; decisions follow the rules',
      },
      latencyMs: 0,
    });
  return {
    configured: false,
    decide: none,
    summarize: none,
    decompose: none,
    judgeRisk: none,
  };
}

/**
 * The supervisor's model: each operation runs one `@openai/agents` Agent with a zod output type against the
 * configured OpenAI-compatible endpoint (Responses or Chat Completions), within a timeout, and resolves to a
 * validated value or a coded error (E_MODEL_UNREACHABLE naming the URL, E_MODEL_HTTP with the status,
 * E_MODEL_TIMEOUT, E_MODEL_BAD_OUTPUT naming the field). The key goes to the HTTP client only, never to the log.
 */
export function createModelDecider(
  settings: ModelSettings | undefined,
  options: ModelDeciderOptions,
): ModelDecider {
  if (!settings) return unconfiguredDecider();
  const { log, templates } = options;
  const phasePrompts = { ...PHASE_PROMPTS, ...options.phasePrompts };
  const { call } = createStructuredModel(settings, options);

  log.info(CATEGORY, 'model.configured', describeModelSettings(settings));

  return {
    configured: true,

    decide(context, callOptions) {
      return call(
        'decide',
        () => ({
          instructions: templates.render(phasePrompts[context.phase], {
            agent: context.pane.agent,
            pane: context.pane.id,
            phase: context.phase,
            task: context.task?.title,
            acceptance: describeAcceptance(context.task?.acceptance),
          }),
          input: compactContext(context, options.contextLimits),
        }),
        decisionSchema,
        (wire) => ({ value: normaliseDecision(wire) }),
        callOptions,
      );
    },

    summarize(transcriptTail, previousSummary, callOptions) {
      return call(
        'summarize',
        () => {
          const lines =
            typeof transcriptTail === 'string' ? transcriptTail.split(/\r?\n/) : [...transcriptTail];
          return {
            instructions: templates.render('summary', { max_words: options.summaryWords ?? 150 }),
            input: JSON.stringify({
              previous_summary: previousSummary ?? '',
              transcript_tail: lines.slice(-(options.transcriptLines ?? 200)).map((l) => l.trimEnd()),
            }),
          };
        },
        summarySchema,
        (value) => ({ value }),
        callOptions,
      );
    },

    decompose(requirementsText, task, callOptions) {
      return call(
        'decompose',
        () => ({
          instructions: templates.render('decomposition', { task, max_tasks: options.maxTasks ?? 12 }),
          input: JSON.stringify({ requirements_doc: requirementsText, ...(task ? { task } : {}) }),
        }),
        decompositionSchema,
        (wire): { value: DecomposedTask[] } | { problems: string[] } => {
          const tasks = normaliseDecomposition(wire);
          const problems = checkDecomposition(tasks);
          return problems.length > 0 ? { problems } : { value: tasks };
        },
        callOptions,
      );
    },

    judgeRisk(request, callOptions) {
      return call(
        'judge',
        () => ({
          instructions: templates.render('risk', { agent: request.agent, pane: request.pane }),
          input: JSON.stringify(request),
        }),
        riskJudgementSchema,
        (wire) => ({
          value: { risk: stricter(request.baseline, wire.risk), modelRisk: wire.risk, reason: wire.reason },
        }),
        callOptions,
      );
    },
  };
}

/**
 * The configured endpoint as an `@openai/agents` Runner, made on first use: tracing off, the key sent only to the
 * configured URL, no OpenAI organisation or project headers. Shared by the structured calls and by free-text
 * agents (the plan registry's), so every model call of FleetAI is set up the same way.
 */
export function modelRunner(settings: ModelSettings): () => Promise<InstanceType<AgentsSdk['Runner']>> {
  let runnerLoading: Promise<InstanceType<AgentsSdk['Runner']>> | undefined;
  return async (): Promise<InstanceType<AgentsSdk['Runner']>> => {
    const { agents, openai } = await loadSdk();
    runnerLoading ??= Promise.resolve(
      new agents.Runner({
        modelProvider: new agents.OpenAIProvider({
          openAIClient: new openai.OpenAI({
            baseURL: settings.baseURL,
            // Local endpoints often need no key; the client insists on one, and a placeholder reveals nothing.
            apiKey: settings.apiKey ?? 'no-key',
            // Explicit, so OPENAI_ORG_ID/OPENAI_PROJECT_ID meant for OpenAI are not sent to another provider.
            organization: null,
            project: null,
            // The call's own timer (abort) is the timeout that counts, also when a call asks for a longer one;
            // the client's is only a backstop.
            timeout: 10 * 60_000,
            // One retry for a dropped connection or a 5xx; the call's own timeout bounds the whole.
            maxRetries: 1,
          }),
          useResponses: settings.api === 'responses',
        }),
        model: settings.model,
        tracingDisabled: true,
        traceIncludeSensitiveData: false,
      }),
    );
    return runnerLoading;
  };
}

/** One structured call: renders the prompt and input, asks for `schema`, and `finish` turns the answer into T. */
export interface StructuredModel {
  readonly model: string;
  call<S extends z.ZodObject, T>(
    this: void,
    op: ModelOperation,
    prepare: () => { instructions: string; input: string },
    schema: S,
    finish: (output: z.infer<S>) => { value: T } | { problems: string[] },
    callOptions?: CallOptions,
  ): Promise<ModelResult<T>>;
}

/**
 * The configured endpoint as a structured model through `@openai/agents` (the decider's operations and the plan
 * Designer use it): an Agent with a zod output type per call, the call's own timeout, coded errors, every call
 * logged and told to `onCall`.
 */
export function createStructuredModel(
  settings: ModelSettings,
  options: Pick<ModelDeciderOptions, 'log' | 'onCall'>,
): StructuredModel {
  const { log } = options;
  const runner = modelRunner(settings);

  async function call<S extends z.ZodObject, T>(
    op: ModelOperation,
    /** Renders the prompt and the input; inside the call so a template problem is a coded result too. */
    prepare: () => { instructions: string; input: string },
    schema: S,
    finish: (output: z.infer<S>) => { value: T } | { problems: string[] },
    callOptions: CallOptions | undefined,
  ): Promise<ModelResult<T>> {
    const started = performance.now();
    const timeoutMs = callOptions?.timeoutMs ?? settings.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let rawOutput: string | undefined;
    let result: { ok: true; value: T } | { ok: false; error: ModelCallError };
    try {
      const { instructions, input } = prepare();
      const [sdk, run] = await Promise.all([loadSdk(), runner()]);
      const agent = new sdk.agents.Agent({
        name: `fleetai-${op}`,
        instructions,
        outputType: schema,
        // Responses are not kept on the provider's side: pane screens are the user's code.
        modelSettings: { store: false },
      });
      const runResult = await run.run(agent, input, {
        signal: controller.signal,
        maxTurns: 1,
        errorHandlers: {
          // Keeps the raw answer so its problems are reported field by field; returning nothing rethrows.
          invalidFinalOutput: ({ runData }) => {
            rawOutput = lastOutputText(runData.rawResponses);
          },
        },
      });
      const checked = schema.safeParse(runResult.finalOutput);
      if (!checked.success) {
        result = { ok: false, error: badOutput(formatIssues(checked.error.issues)) };
      } else {
        const finished = finish(checked.data);
        result =
          'value' in finished
            ? { ok: true, value: finished.value }
            : { ok: false, error: badOutput(finished.problems) };
      }
    } catch (error) {
      const sdk = await loadSdk().catch(() => undefined);
      result = { ok: false, error: classify(error, sdk, settings, timedOut, timeoutMs, rawOutput, schema) };
    } finally {
      clearTimeout(timer);
    }
    const latencyMs = Math.round(performance.now() - started);
    const record: ModelCallRecord = {
      op,
      ok: result.ok,
      latencyMs,
      model: settings.model,
      ...(result.ok ? {} : { code: result.error.code }),
    };
    if (result.ok) {
      log.info(CATEGORY, 'model.call', { op, latencyMs, model: settings.model, baseURL: settings.baseURL });
    } else {
      log.warn(CATEGORY, 'model.call.failed', {
        op,
        latencyMs,
        model: settings.model,
        baseURL: settings.baseURL,
        code: result.error.code,
        error: result.error.message,
      });
    }
    try {
      options.onCall?.(record);
    } catch (error) {
      log.error(CATEGORY, 'model.onCall.failed', { error: describeError(error) });
    }
    return result.ok
      ? { ok: true, value: result.value, latencyMs }
      : { ok: false, error: result.error, latencyMs };
  }

  return { model: settings.model, call };
}

function describeAcceptance(
  acceptance: { checklist?: string[]; command?: string } | undefined,
): string | undefined {
  if (!acceptance) return undefined;
  const parts = [
    ...(acceptance.checklist ?? []).map((c) => `- ${c}`),
    ...(acceptance.command ? [`- the command \`${acceptance.command}\` passes`] : []),
  ];
  return parts.length > 0 ? `\n${parts.join('\n')}` : undefined;
}

function badOutput(problems: readonly string[]): ModelCallError {
  return {
    code: ErrorCode.ModelBadOutput,
    message: `The model's answer does not fit the schema: ${problems.join('; ')}`,
    details: { problems },
  };
}

/** The text of the last assistant message of a run's raw responses. */
function lastOutputText(responses: readonly { output: readonly unknown[] }[]): string | undefined {
  for (let i = responses.length - 1; i >= 0; i--) {
    const output = responses[i]?.output ?? [];
    for (let j = output.length - 1; j >= 0; j--) {
      const item = output[j] as { type?: string; content?: { type?: string; text?: string }[] } | undefined;
      if (item?.type !== 'message' || !Array.isArray(item.content)) continue;
      const text = item.content
        .filter((c) => c.type === 'output_text' && typeof c.text === 'string')
        .map((c) => c.text)
        .join('');
      if (text) return text;
    }
  }
  return undefined;
}

/** The first network-level cause of a failed request (ECONNREFUSED, ENOTFOUND...), for a message people read. */
function rootCause(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function classify(
  error: unknown,
  sdk: Sdk | undefined,
  settings: ModelSettings,
  timedOut: boolean,
  timeoutMs: number,
  rawOutput: string | undefined,
  schema: z.ZodObject,
): ModelCallError {
  const url = settings.baseURL;
  if (timedOut || (sdk && error instanceof sdk.openai.APIConnectionTimeoutError)) {
    return {
      code: ErrorCode.ModelTimeout,
      message: `No answer from the model at ${url} within ${Math.round(timeoutMs / 100) / 10} s`,
      details: { url, timeoutMs },
    };
  }
  if (sdk && error instanceof sdk.openai.APIConnectionError) {
    const cause = rootCause(error);
    return {
      code: ErrorCode.ModelUnreachable,
      message: `Cannot reach the model at ${url}${cause ? ` (${cause})` : ''}: ${describeError(error)}`,
      details: { url, ...(cause ? { cause } : {}) },
    };
  }
  if (sdk && error instanceof sdk.openai.APIError && typeof error.status === 'number') {
    return {
      code: ErrorCode.ModelHttp,
      message: `The model at ${url} answered HTTP ${error.status}: ${describeError(error)}`,
      details: { url, status: error.status },
    };
  }
  if (
    sdk &&
    (error instanceof sdk.agents.ModelBehaviorError || error instanceof sdk.agents.MaxTurnsExceededError)
  ) {
    if (rawOutput === undefined) {
      return badOutput([`(root): no answer text (${describeError(error)})`]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawOutput);
    } catch (parseError) {
      return badOutput([`(root): the answer is not JSON (${describeError(parseError)})`]);
    }
    const checked = schema.safeParse(parsed);
    return badOutput(checked.success ? [describeError(error)] : formatIssues(checked.error.issues));
  }
  // Anything else (a TypeError inside the SDK, a refused schema) is a bug to report, not the model's fault.
  return {
    code: ErrorCode.Internal,
    message: `Model call failed: ${describeError(error)}`,
    details: { url, ...(error instanceof Error ? { error: error.name } : {}) },
  };
}
