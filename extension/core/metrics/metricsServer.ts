import * as http from 'node:http';
import { ErrorCode, describeError } from '../errors';
import {
  checkListenAddress,
  isLoopback,
  listenHttp,
  type ListenerIdentity,
  type ListeningServer,
} from '../net/httpListener';
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

/** The exporter as it listens (the real port when asked for an ephemeral one in tests). */
export type MetricsServer = ListeningServer;

/** Kept here too: callers of the metrics module used it before the listener helpers moved. */
export { isLoopback };

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz` (JSON). Read only: it takes no decisions, so it has
 * no token; it still listens on 127.0.0.1 unless `metrics_host` says otherwise, because pane and branch names
 * are the user's business. A port in use is an error naming the port; the caller logs it and runs on.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { metrics, host, port, log, origin } = options;
  const id: ListenerIdentity = {
    what: 'the metrics exporter',
    portField: 'metrics_port',
    hostField: 'metrics_host',
    origin,
    code: ErrorCode.MetricsListen,
    inUseHint: 'another exporter or program; set another metrics_port, or 0 to turn the exporter off',
  };
  checkListenAddress(host, port, id);
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

  const listening = await listenHttp(server, host, port, id);
  server.on('error', (error) => log.error(CATEGORY, 'metrics.server.error', { error: describeError(error) }));

  log.info(CATEGORY, 'metrics.listening', { host, port: listening.port });
  return listening;
}
