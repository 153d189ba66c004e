import * as http from 'node:http';
import { isIP } from 'node:net';
import { ErrorCode, FleetError, describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { FleetMetrics } from './fleetMetrics';

const CATEGORY = 'metrics';

export interface Health {
  ok: boolean;
  /** Seconds since the supervisor's last heartbeat (null before the first). */
  heartbeat_age_seconds: number | null;
  panes: number;
  /** Panes by state, as in `orchestrator_panes`. */
  pane_states: Record<string, number>;
}

export interface MetricsServerOptions {
  metrics: FleetMetrics;
  host: string;
  /** 0 asks the system for a free port (tests); in the config, 0 means "no exporter" and never gets here. */
  port: number;
  health: () => Health;
  log: Logger;
  /** Where the settings came from, named in errors ("/w/.fleetai/orchestrator.json" or "--metrics-port"). */
  origin: string;
}

export interface MetricsServer {
  /** The address it listens on (the real port when asked for an ephemeral one in tests). */
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz` (JSON). Read only: it takes no decisions, so it has
 * no token; it still listens on 127.0.0.1 unless `metrics_host` says otherwise, because pane and branch names
 * are the user's business. A port in use is an error naming the port; the caller logs it and runs on.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { metrics, host, port, log, origin } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${origin}: metrics_port must be an integer from 0 (no exporter) to 65535, got ${String(port)}`,
      { field: 'metrics_port', value: port },
    );
  }
  if (!host.trim() || (isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host))) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${origin}: metrics_host must be an IP address or a host name, got "${host}"`,
      { field: 'metrics_host', value: host },
    );
  }
  if (!isLoopback(host)) {
    // An explicit choice (seed 001 used 0.0.0.0), but one that shows pane and branch names to the network.
    log.warn(CATEGORY, 'metrics.non_loopback', {
      host,
      port,
      hint: 'the exporter has no authentication; bind 127.0.0.1 unless Prometheus scrapes from another machine',
    });
  }

  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      metrics.scrape().then(
        (body) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => {
          log.error(CATEGORY, 'metrics.scrape.failed', { error: describeError(error) });
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('scrape failed\n');
        },
      );
      return;
    }
    if (url === '/healthz') {
      let health: Health;
      try {
        health = options.health();
      } catch (error) {
        log.error(CATEGORY, 'metrics.health.failed', { error: describeError(error) });
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false}');
        return;
      }
      res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(health));
      return;
    }
    if (url === '/') {
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end('FleetAI exporter: /metrics /healthz\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  });
  // A slow or stuck scraper must not hold sockets forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use (another exporter or program); set another metrics_port, or 0 to turn the exporter off`
          : error.code === 'EACCES'
            ? `no permission to listen on port ${port} on ${host}`
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? `${host} is not an address of this machine`
              : describeError(error);
      reject(
        new FleetError(ErrorCode.MetricsListen, `${origin}: the metrics exporter cannot listen: ${why}`, {
          field: 'metrics_port',
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
  server.on('error', (error) => log.error(CATEGORY, 'metrics.server.error', { error: describeError(error) }));

  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  log.info(CATEGORY, 'metrics.listening', { host, port: actualPort });
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
