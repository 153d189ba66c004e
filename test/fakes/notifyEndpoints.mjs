// Local stand-ins for the services FleetAI notifies, built from their public API formats, for tests and benches.
// Each is a real node:http server on 127.0.0.1 that records what it receives and answers like the real one:
//  - WeCom group robot: POST /cgi-bin/webhook/send?key=KEY with {msgtype, text|markdown}; HTTP 200 and
//    {errcode, errmsg}: 0 "ok", 93000 for an unknown key, 40008 for a bad msgtype, 44004 for empty content,
//    45009 when over `perMinute` messages (the real robot: 20 a minute).
//  - Slack incoming webhook: POST /services/T/B/SECRET with {text, blocks?}; 200 "ok", 400 "invalid_payload",
//    404 "no_service" for an unknown path.
//  - A generic JSON webhook: records body and headers, answers 200 (or `status`).
// `stop()` closes the port (connection refused, as a service that went away) and `start()` opens it again on the
// same port; `hang = true` makes it never answer (a timeout).
import { createServer } from 'node:http';

class FakeEndpoint {
  constructor(handler) {
    this.handler = handler;
    this.received = [];
    this.hang = false;
    this.port = 0;
    this.server = undefined;
    this.waiters = [];
  }

  async start() {
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (this.hang) return;
        const raw = Buffer.concat(chunks).toString('utf8');
        let body;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const request = {
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          raw,
          body,
        };
        const answer = this.handler(request, this);
        if (answer.accepted) {
          this.received.push(request);
          for (const w of this.waiters.splice(0)) w();
        }
        res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once `count` accepted messages have arrived (or rejects after `timeoutMs`). */
  async waitFor(count, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} messages, got ${this.received.length}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received;
  }
}

const json = (status, value) => ({ status, body: JSON.stringify(value) });

export async function startFakeWecom({ key = 'test-key-0001', perMinute = 20, now = () => Date.now() } = {}) {
  const sent = [];
  const endpoint = new FakeEndpoint((req) => {
    if (req.method !== 'POST' || req.path !== '/cgi-bin/webhook/send')
      return { status: 404, body: 'not found', type: 'text/plain' };
    if (req.query.key !== key)
      return json(200, { errcode: 93000, errmsg: 'invalid webhook url, hint: [fake]' });
    const b = req.body;
    if (!b || (b.msgtype !== 'text' && b.msgtype !== 'markdown'))
      return json(200, { errcode: 40008, errmsg: 'invalid message type, hint: [fake]' });
    const content = b[b.msgtype]?.content;
    if (typeof content !== 'string' || content.length === 0)
      return json(200, { errcode: 44004, errmsg: 'empty content, hint: [fake]' });
    const max = b.msgtype === 'text' ? 2048 : 4096;
    if (Buffer.byteLength(content, 'utf8') > max)
      return json(200, { errcode: 40058, errmsg: `content exceed max length ${max}, hint: [fake]` });
    const t = now();
    while (sent.length && t - sent[0] > 60_000) sent.shift();
    if (sent.length >= perMinute)
      return json(200, { errcode: 45009, errmsg: 'api freq out of limit, hint: [fake]' });
    sent.push(t);
    return { ...json(200, { errcode: 0, errmsg: 'ok' }), accepted: true };
  });
  await endpoint.start();
  endpoint.key = key;
  endpoint.url = () => `${endpoint.base}/cgi-bin/webhook/send?key=${key}`;
  return endpoint;
}

export async function startFakeSlack({ path = '/services/T0001/B0001/XXXXsecretXXXX' } = {}) {
  const endpoint = new FakeEndpoint((req) => {
    if (req.method !== 'POST' || req.path !== path)
      return { status: 404, body: 'no_service', type: 'text/plain' };
    if (!req.body || typeof req.body.text !== 'string' || req.body.text.length === 0)
      return { status: 400, body: 'invalid_payload', type: 'text/plain' };
    if (req.body.blocks !== undefined && !Array.isArray(req.body.blocks))
      return { status: 400, body: 'invalid_blocks', type: 'text/plain' };
    return { status: 200, body: 'ok', type: 'text/plain', accepted: true };
  });
  await endpoint.start();
  endpoint.url = () => `${endpoint.base}${path}`;
  return endpoint;
}

export async function startFakeWebhook({ status = 200 } = {}) {
  const endpoint = new FakeEndpoint((req) => {
    if (req.method !== 'POST') return { status: 405, body: '' };
    endpoint.lastAny = req;
    return { status: endpoint.status, body: '{}', accepted: endpoint.status >= 200 && endpoint.status < 300 };
  });
  endpoint.status = status;
  await endpoint.start();
  endpoint.url = () => `${endpoint.base}/hooks/fleetai`;
  return endpoint;
}
