import type { OrchestratorConfig } from '../config/orchestratorConfig';
import { ErrorCode, FleetError, describeError, isFleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import { chatRoutes } from './chatRoutes';
import { portalRoutes } from './portalRoutes';
import { portalToken } from './portalToken';
import { portalLink, startRemoteServer, type RemoteServer } from './remoteServer';
import type { RemoteSupervisor } from './remoteSupervisor';

export interface PortalEndpoint {
  port: number;
  host: string;
  /** Where port and host came from, named in errors ("--portal-port", "setting fleetai.portal.port", a file). */
  origin: string;
}

/** Where the portal listens: flags or settings over the workspace's `portal` section; undefined when off (0). */
export function portalEndpoint(
  portal: OrchestratorConfig['portal'],
  file: string,
  override: { port?: number; host?: string; origin?: string } = {},
): PortalEndpoint | undefined {
  const port = override.port ?? portal.port;
  if (port === 0) return undefined;
  return {
    port,
    host: override.host ?? portal.host,
    origin: override.port !== undefined ? (override.origin ?? '--portal-port') : file,
  };
}

/** The address people open: `public_url` when a tunnel or proxy stands in front, else the listening address. */
export function portalBaseUrl(portal: OrchestratorConfig['portal'], endpoint: PortalEndpoint): string {
  if (portal.public_url) return portal.public_url.replace(/\/+$/, '');
  // A portal bound to every address is opened on this machine through loopback.
  const host = endpoint.host === '0.0.0.0' ? '127.0.0.1' : endpoint.host === '::' ? '::1' : endpoint.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${endpoint.port}`;
}

export interface StartPortalOptions {
  portal: OrchestratorConfig['portal'];
  endpoint: PortalEndpoint;
  stateDir: string;
  env: () => Record<string, string | undefined>;
  remote: RemoteSupervisor;
  log: Logger;
}

export interface RunningPortal {
  server: RemoteServer;
  /** The address to open (public_url or the listening one), without the token. */
  url: string;
  close(): Promise<void>;
}

/**
 * The approval portal and the chat callbacks of a supervisor (`fleet orchestrator` or a VS Code window). A portal
 * that cannot start (its port in use, an unusable token) comes back as the error, already logged: the supervisor
 * runs on without it.
 */
export async function startPortal(options: StartPortalOptions): Promise<RunningPortal | FleetError> {
  const { portal, endpoint, log, remote } = options;
  try {
    const { token } = await portalToken({
      stateDir: options.stateDir,
      tokenEnv: portal.token_env,
      env: options.env(),
    });
    const server = await startRemoteServer({
      host: endpoint.host,
      port: endpoint.port,
      origin: endpoint.origin,
      token,
      log,
      ...(portal.public_url ? { publicUrl: portal.public_url } : {}),
      routes: [...portalRoutes({ remote, log }), ...chatRoutes({ portal, env: options.env, remote, log })],
    });
    const url = portalBaseUrl(portal, { ...endpoint, port: server.port });
    return { server, url, close: () => server.close() };
  } catch (error) {
    const failure = isFleetError(error)
      ? error
      : new FleetError(
          ErrorCode.PortalListen,
          `${endpoint.origin}: the approval portal did not start: ${describeError(error)}`,
          {
            port: endpoint.port,
            host: endpoint.host,
          },
        );
    log.error('remote', 'portal.start_failed', { code: failure.code, error: failure.message });
    return failure;
  }
}

export { portalLink };
