import type { Logger } from '../observability/appLog';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import type { RemoteSupervisor } from './remoteSupervisor';
import type { RemoteRoute } from './routes';
import { slackRoutes } from './slackRoute';
import { wecomRoutes } from './wecomRoute';

export interface ChatRoutesOptions {
  portal: OrchestratorConfig['portal'];
  /** Where the callback secrets are read (named by the portal section's *_env keys). */
  env: () => Record<string, string | undefined>;
  remote: RemoteSupervisor;
  log: Logger;
  /** The clock the timestamp checks use (tests). */
  now?: () => number;
  /** How long a command may take before the chat is answered "accepted" (defaults: WeCom 4 s, Slack 2.5 s). */
  replyWithinMs?: { wecom?: number; slack?: number };
}

/**
 * The WeCom application callback (`GET`/`POST /wecom/callback`) and the Slack slash commands
 * (`POST /slack/commands`). Each channel is on only when its secrets are in the environment; otherwise its
 * route answers 404 naming the missing variables, and the log says so once.
 */
export function chatRoutes(options: ChatRoutesOptions): RemoteRoute[] {
  return [...wecomRoutes(options), ...slackRoutes(options)];
}
