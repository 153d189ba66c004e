import * as path from 'node:path';
import { resolveConfigPath, type OrchestratorConfig } from '../config/orchestratorConfig';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { WorkspacePaths } from '../workspacePaths';
import type { DeciderPort } from './ports';

/**
 * The model of the config's `model` section (base_url, model, the key from the variable `api_key_env`), or none:
 * without a model named, the supervisor decides by its rules. A broken model setting is logged and ignored, so
 * the panes still start.
 */
export async function modelDeciderFromConfig(
  config: OrchestratorConfig,
  configFile: string,
  paths: WorkspacePaths,
  log: Logger,
  /** A key from VS Code's SecretStorage, used when the variable `api_key_env` names is not set. */
  storedApiKey?: string,
): Promise<DeciderPort | undefined> {
  try {
    const {
      modelSettingsFromConfig,
      createModelDecider,
      loadPromptTemplates,
      builtinPromptsDir,
      describeModelSettings,
    } = await import('../decisions');
    const settings = await modelSettingsFromConfig(config.model, process.env, storedApiKey);
    if (!settings) return undefined;
    // The config's prompts (planning, execution, testing, summary) are paths relative to the config file.
    const files = Object.fromEntries(
      Object.entries(config.prompts)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
        .map(([name, file]) => [name, resolveConfigPath(configFile, file)]),
    );
    const templates = await loadPromptTemplates({
      builtinDir: builtinPromptsDir(),
      workspaceDir: path.join(paths.root, 'prompts'),
      files,
      log,
    });
    log.info('supervisor', 'model.configured', { ...describeModelSettings(settings), config: configFile });
    return createModelDecider(settings, { log, templates });
  } catch (error) {
    log.error('supervisor', 'model.config.invalid', { error: describeError(error), config: configFile });
    return undefined;
  }
}
