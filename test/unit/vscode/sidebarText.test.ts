import { describe, expect, it } from 'vitest';
import {
  paneDescription,
  riskColor,
  shortDuration,
  taskContextValue,
} from '../../../extension/vscode/sidebarText';

describe('sidebar text', () => {
  it('says how long a pane has been in its state, briefly', () => {
    expect(shortDuration(-5)).toBe('0s');
    expect(shortDuration(45_900)).toBe('45s');
    expect(shortDuration(3 * 60_000 + 59_000)).toBe('3m');
    expect(shortDuration(2 * 3_600_000)).toBe('2h');
    expect(shortDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2h 5m');
    expect(shortDuration(3 * 86_400_000 + 1)).toBe('3d');
  });

  it('describes a pane as kind · branch · phase · time in state, leaving out what it lacks', () => {
    expect(paneDescription({ kind: 'codex', branch: 'feat/x', phase: 'EXECUTING', inStateMs: 180_000 })).toBe(
      'codex · feat/x · EXECUTING · 3m',
    );
    expect(paneDescription({ kind: 'shell', inStateMs: 2_000 })).toBe('shell · 2s');
  });

  it('colours risks from green to red and names task menus by phase', () => {
    expect(['low', 'medium', 'high', 'critical'].map(riskColor)).toEqual([
      'charts.green',
      'charts.yellow',
      'charts.orange',
      'charts.red',
    ]);
    expect(taskContextValue('EXECUTING')).toBe('fleetai.task.executing');
  });
});
