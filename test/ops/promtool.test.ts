import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsDir, repoRoot, requireTool, run } from './opsTools';

const RULES = path.join(opsDir, 'alerts.rules.yml');

describe('docs/ops with promtool', () => {
  it('promtool check rules: the shipped alert rules are valid', () => {
    const result = run(requireTool('promtool'), ['check', 'rules', RULES]);
    expect(result.out).toContain('SUCCESS: 6 rules found');
    expect(result.code, result.out).toBe(0);
  });

  it('promtool test rules: every rule fires and stays quiet where it should', () => {
    const result = run(requireTool('promtool'), ['test', 'rules', 'alerts.test.yml'], opsDir);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('SUCCESS');
  });

  it('the unit tests cover every rule', () => {
    const rules = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tests = readFileSync(path.join(opsDir, 'alerts.test.yml'), 'utf8');
    expect(rules).toHaveLength(6);
    for (const rule of rules) {
      expect(tests, rule).toContain(`alertname: ${rule}`);
      // Firing somewhere and quiet somewhere: an empty exp_alerts right after this rule's name.
      expect(tests, `${rule} not firing`).toMatch(new RegExp(`alertname: ${rule}\\n\\s+exp_alerts: \\[\\]`));
    }
  });

  it('promtool check config: the shipped scrape config is valid and loads the rules', () => {
    const result = run(requireTool('promtool'), ['check', 'config', path.join(opsDir, 'prometheus.yml')]);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('1 rule files found');
  });

  it('the Grafana dashboard is a dashboard JSON over the exporter metrics only', () => {
    const dashboard = JSON.parse(readFileSync(path.join(opsDir, 'grafana-dashboard.json'), 'utf8')) as {
      uid: string;
      title: string;
      schemaVersion: number;
      panels: { id: number; type: string; targets: { expr: string }[]; gridPos: Record<string, number> }[];
    };
    expect(dashboard.uid).toBe('fleetai-supervisor');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const names = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) => [...t.expr.matchAll(/\b(orchestrator_\w+)/g)].map((m) => m[1] ?? '')),
      ),
    );
    const exported = readFileSync(path.join(repoRoot, 'extension/core/metrics/fleetMetrics.ts'), 'utf8');
    for (const name of names) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect(exported, name).toContain(`name: '${base}'`);
    }
    expect(names.size).toBeGreaterThanOrEqual(10);
  });
});
