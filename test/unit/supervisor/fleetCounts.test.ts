import { describe, expect, it } from 'vitest';
import {
  countFleet,
  heartbeatAgeMs,
  HEARTBEAT_STALE_MS,
} from '../../../extension/core/supervisor/fleetCounts';

describe('countFleet (the status bar heartbeat)', () => {
  it('counts panes by what they need, leaving exited ones out', () => {
    const counts = countFleet(
      [
        { id: 'p1', state: 'working' },
        { id: 'p2', state: 'starting' },
        { id: 'p3', state: 'awaiting_input' },
        { id: 'p4', state: 'stalled' },
        { id: 'p5', state: 'error' },
        { id: 'p6', state: 'exited' },
      ],
      [],
    );
    expect(counts).toEqual({ working: 2, waiting: 1, stalled: 1, error: 1, approval: 0, live: 5 });
  });

  it('counts an agent on an approval prompt once, whether or not its request is recorded yet', () => {
    const panes = [
      { id: 'p1', state: 'awaiting_approval' as const },
      { id: 'p2', state: 'awaiting_approval' as const },
    ];
    expect(countFleet(panes, []).approval).toBe(2);
    expect(countFleet(panes, [{ pane: 'p1' }]).approval).toBe(2);
    expect(countFleet(panes, [{ pane: 'p1' }, { pane: 'p2' }]).approval).toBe(2);
  });

  it('counts requests of panes it does not know (another process, a command FleetAI would send)', () => {
    const counts = countFleet([{ id: 'p1', state: 'working' }], [{ pane: 'api' }, { pane: 'p1' }]);
    expect(counts).toMatchObject({ working: 1, approval: 2, live: 1 });
  });
});

describe('heartbeatAgeMs', () => {
  it('measures the age of an ISO heartbeat, and knows none for a missing or broken one', () => {
    const now = Date.parse('2026-11-21T10:01:05.000Z');
    expect(heartbeatAgeMs('2026-11-21T10:00:00.000Z', now)).toBe(65_000);
    expect(heartbeatAgeMs('2026-11-21T10:00:00.000Z', now)! > HEARTBEAT_STALE_MS).toBe(true);
    expect(heartbeatAgeMs('2026-11-21T10:01:10.000Z', now)).toBe(0);
    expect(heartbeatAgeMs(undefined, now)).toBeUndefined();
    expect(heartbeatAgeMs('yesterday', now)).toBeUndefined();
  });
});
