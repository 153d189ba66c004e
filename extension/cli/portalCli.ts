import { existsSync } from 'node:fs';
import { loadOrchestratorConfig } from '../core/config/orchestratorConfig';
import { describeError } from '../core/errors';
import { portalToken } from '../core/remote/portalToken';
import { portalLink } from '../core/remote/remoteServer';
import { portalBaseUrl, portalEndpoint } from '../core/remote/startPortal';
import { workspacePaths } from '../core/workspacePaths';
import type { CliIo } from './io';
import { timeoutSignal } from '../core/timeoutSignal';

interface QrCodeModule {
  toString(text: string, options: { type: 'terminal'; small?: boolean }): Promise<string>;
}

/**
 * `fleet portal`: the link that opens the approval portal of the workspace, with its token (the same token file
 * the running supervisor reads, or the variable named by portal.token_env), and a QR code when the optional
 * `qrcode` package is installed. Whether a portal answers there is checked, not assumed.
 */
export async function runPortalCli(options: {
  workspace: string;
  config?: string;
  portalPort?: string;
  portalHost?: string;
  json: boolean;
  io: CliIo;
  env?: Record<string, string | undefined>;
}): Promise<number> {
  const { io } = options;
  const paths = workspacePaths(options.workspace);
  const configFile = options.config ?? paths.orchestratorConfig;
  if (options.config && !existsSync(configFile)) {
    io.err(`fleet portal: ${configFile} does not exist\n`);
    return 2;
  }
  let port: number | undefined;
  if (options.portalPort !== undefined) {
    port = /^\d{1,5}$/.test(options.portalPort) ? Number(options.portalPort) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      io.err(`fleet portal: --portal-port must be a port from 1 to 65535, got "${options.portalPort}"\n`);
      return 2;
    }
  }
  try {
    const { config, file } = await loadOrchestratorConfig(configFile);
    const endpoint = portalEndpoint(config.portal, file, {
      ...(port !== undefined ? { port } : {}),
      ...(options.portalHost !== undefined ? { host: options.portalHost } : {}),
    });
    if (!endpoint) {
      io.err(
        `fleet portal: the portal is off (portal.port is 0 in ${file}); set a port there, or start fleet orchestrator with --portal-port\n`,
      );
      return 1;
    }
    const token = await portalToken({
      stateDir: paths.stateDir,
      tokenEnv: config.portal.token_env,
      env: options.env ?? process.env,
    });
    const url = portalBaseUrl(config.portal, endpoint);
    const link = portalLink(url, token.token);
    const listening = await answers(portalBaseUrl({ ...config.portal, public_url: undefined }, endpoint));
    const tokenFrom = token.source.kind === 'env' ? `$${token.source.name}` : token.source.file;
    if (options.json) {
      io.out(`${JSON.stringify({ url, link, listening, token_from: tokenFrom }, null, 2)}\n`);
      return 0;
    }
    io.out(`${link}\n`);
    const qr = await qrCode(link);
    if (qr) io.out(qr);
    io.err(
      `fleet portal: the link holds the portal token (from ${tokenFrom}): share it like a password.${
        listening
          ? ''
          : ` Nothing answers on ${endpoint.host}:${endpoint.port} yet: start fleet orchestrator (or a VS Code window) for this workspace.`
      }${
        config.portal.public_url || endpoint.host !== '127.0.0.1'
          ? ''
          : ' On a phone, open it through a TLS tunnel or reverse proxy (docs/portal.md).'
      }\n`,
    );
    return 0;
  } catch (error) {
    io.err(`fleet portal: ${describeError(error)}\n`);
    return 1;
  }
}

/** A portal answers 401 to a request without the token: anything else is not (or not yet) a portal. */
async function answers(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/api/status`, { signal: timeoutSignal(1500) });
    await response.body?.cancel();
    return response.status === 401;
  } catch {
    return false;
  }
}

/** The QR code, when the optional `qrcode` package happens to be installed; FleetAI does not depend on it. */
async function qrCode(text: string): Promise<string | undefined> {
  const name = 'qrcode';
  try {
    const module = (await import(name)) as Partial<QrCodeModule> & { default?: Partial<QrCodeModule> };
    // Every object has a toString: only the module's own one is qrcode's.
    const api = Object.prototype.hasOwnProperty.call(module, 'toString') ? module : module.default;
    if (typeof api?.toString !== 'function') return undefined;
    return await api.toString(text, { type: 'terminal', small: true });
  } catch {
    return undefined;
  }
}
