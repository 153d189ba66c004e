import type * as http from 'node:http';
import { isIP } from 'node:net';
import { ErrorCode, FleetError, describeError } from '../errors';

/** What a FleetAI listener is, for its error messages: "the metrics exporter", settings `metrics_port`/`metrics_host`. */
export interface ListenerIdentity {
  /** "the metrics exporter", "the approval portal". */
  what: string;
  portField: string;
  hostField: string;
  /** Where the settings came from ("/w/.fleetai/orchestrator.json", "--metrics-port"). */
  origin: string;
  /** The code of a listen failure (port in use, no permission, no such address). */
  code: ErrorCode;
  /** The end of the "in use" message: who else may hold the port, and how to turn this listener off. */
  inUseHint: string;
}

export interface ListeningServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (brackets around an IPv6 host). */
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A port and host a listener may take, or E_CONFIG_INVALID naming the setting. */
export function checkListenAddress(host: string, port: number, id: ListenerIdentity): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${id.origin}: ${id.portField} must be an integer from 0 (off) to 65535, got ${String(port)}`,
      { field: id.portField, value: port },
    );
  }
  if (!host.trim() || (isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host))) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${id.origin}: ${id.hostField} must be an IP address or a host name, got "${host}"`,
      { field: id.hostField, value: host },
    );
  }
}

/**
 * Listens, or rejects with `id.code` saying why in words a user can act on (a port in use names the port and the
 * setting). The caller logs that and runs on without the listener.
 */
export async function listenHttp(
  server: http.Server,
  host: string,
  port: number,
  id: ListenerIdentity,
): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use (${id.inUseHint})`
          : error.code === 'EACCES'
            ? `no permission to listen on port ${port} on ${host}`
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? `${host} is not an address of this machine`
              : describeError(error);
      reject(
        new FleetError(id.code, `${id.origin}: ${id.what} cannot listen: ${why}`, {
          field: id.portField,
          port,
          host,
          cause: error.code,
        }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port: actualPort,
    url: `http://${urlHost}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
