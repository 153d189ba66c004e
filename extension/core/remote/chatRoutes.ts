import type { ChatRoutesOptions } from './chatRouteSupport';
import type { RemoteRoute } from './routes';
import { slackRoutes } from './slackRoute';
import { wecomRoutes } from './wecomRoute';

export type { ChatRoutesOptions } from './chatRouteSupport';

/**
 * The WeCom application callback (`GET`/`POST /wecom/callback`) and the Slack slash commands
 * (`POST /slack/commands`). Each channel is on only when its secrets are in the environment; otherwise its
 * route answers 404 naming the missing variables, and the log says so once.
 */
export function chatRoutes(options: ChatRoutesOptions): RemoteRoute[] {
  return [...wecomRoutes(options), ...slackRoutes(options)];
}
