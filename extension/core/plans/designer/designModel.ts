import { createStructuredModel, type ModelResult } from '../../decisions/modelDecider';
import type { ModelSettings } from '../../decisions/modelSettings';
import type { Logger } from '../../observability/appLog';
import { designSchema, type Design } from './designSchema';

/** What the Designer needs of a model: one structured answer per request. Tests may pass their own. */
export interface DesignModel {
  /** The model's name, for messages ("designed with gpt-5"). */
  readonly name: string;
  design(request: { instructions: string; input: string }): Promise<ModelResult<Design>>;
}

/**
 * The configured endpoint (`resolveModelSettings`) as a design model: the decider's structured calls (the SDK
 * loads on the first call, its own bundle, tracing off), with the design schema.
 */
export function createDesignModel(settings: ModelSettings, options: { log: Logger }): DesignModel {
  const model = createStructuredModel(settings, options);
  return {
    name: settings.model,
    design: (request) =>
      model.call(
        'design',
        () => request,
        designSchema,
        (value) => ({ value }),
      ),
  };
}
