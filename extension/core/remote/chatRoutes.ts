import type { Logger } from '../observability/appLog';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import type { RemoteSupervisor } from './remoteSupervisor';
import type { RemoteRoute } from './routes';

export interface ChatRoutesOptions {
  portal: OrchestratorConfig['portal'];
  /** Where the callback secrets are read (named by the portal section's *_env keys). */
  env: () => Record<string, string | undefined>;
  remote: RemoteSupervisor;
  log: Logger;
}

/** The WeCom application callback and the Slack slash-command routes (being built: none yet). */
export function chatRoutes(_options: ChatRoutesOptions): RemoteRoute[] {
  return [];
}
