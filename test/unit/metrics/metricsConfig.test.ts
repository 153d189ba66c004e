import { describe, expect, it } from 'vitest';
import { parseOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { caught } from '../helpers';

const FILE = '/w/.fleetai/orchestrator.json';

describe('metrics_host / metrics_port in .fleetai/orchestrator.json', () => {
  it('defaults to 127.0.0.1:9108 (seed 001 port, loopback host), and 0 is accepted (no exporter)', () => {
    expect(parseOrchestratorConfig(FILE, '{}')).toMatchObject({
      metrics_host: '127.0.0.1',
      metrics_port: 9108,
    });
    expect(parseOrchestratorConfig(FILE, '{ "metrics_port": 0 }').metrics_port).toBe(0);
    expect(parseOrchestratorConfig(FILE, '{ "metrics_host": "0.0.0.0" }').metrics_host).toBe('0.0.0.0');
    expect(parseOrchestratorConfig(FILE, '{ "metrics_host": "::1" }').metrics_host).toBe('::1');
    expect(parseOrchestratorConfig(FILE, '{ "metrics_host": "metrics.lan" }').metrics_host).toBe(
      'metrics.lan',
    );
  });

  it('refuses a host that is neither an address nor a name, naming the file and the field', async () => {
    const error = await caught(() => parseOrchestratorConfig(FILE, '{ "metrics_host": "http://0.0.0.0" }'));
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe(ErrorCode.ConfigSchema);
    expect((error as FleetError).message).toMatch(
      /^\/w\/\.fleetai\/orchestrator\.json:1:\d+: metrics_host: must be an IP address \(127\.0\.0\.1, 0\.0\.0\.0, ::1\) or a host name$/,
    );
  });

  it('refuses a port out of range or not an integer', async () => {
    for (const port of ['70000', '-1', '9108.5', '"9108"']) {
      const error = await caught(() => parseOrchestratorConfig(FILE, `{ "metrics_port": ${port} }`));
      expect((error as FleetError).message, port).toMatch(
        /^\/w\/\.fleetai\/orchestrator\.json:1:\d+: metrics_port: /,
      );
    }
  });
});
