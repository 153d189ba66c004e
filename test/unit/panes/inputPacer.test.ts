import { describe, expect, it } from 'vitest';
import { InputPacer, type InputPacerOptions } from '../../../extension/core/panes/inputPacer';

/** A pacer whose writes and sleeps land, in order, in one list; sleeps return at once unless held. */
function recorded(options: Partial<InputPacerOptions> = {}) {
  const events: string[] = [];
  const pacer = new InputPacer({
    submitDelayMs: 500,
    write: (data) => events.push(`write:${JSON.stringify(data)}`),
    sleep: (ms) => {
      events.push(`sleep:${ms}`);
      return Promise.resolve();
    },
    ...options,
  });
  return { pacer, events };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets queued promise continuations run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('InputPacer', () => {
  it('types the text, waits the submit delay, then sends the submit key', async () => {
    const { pacer, events } = recorded();
    await expect(pacer.send('abc', { submit: true })).resolves.toBe(true);
    expect(events).toEqual(['write:"abc"', 'sleep:500', 'write:"\\r"']);
  });

  it('does not submit, nor wait, when submit is false', async () => {
    const { pacer, events } = recorded();
    await pacer.send('y', { submit: false });
    expect(events).toEqual(['write:"y"']);
  });

  it('presses just the submit key for empty text, with no delay', async () => {
    const { pacer, events } = recorded({ submitKeys: '\n' });
    await pacer.send('', { submit: true });
    expect(events).toEqual(['write:"\\n"']);
  });

  it('types character by character with charDelayMs, never splitting a surrogate pair', async () => {
    const { pacer, events } = recorded({ charDelayMs: 3, submitDelayMs: 7 });
    await pacer.send('a😀b', { submit: true });
    expect(events).toEqual([
      'write:"a"',
      'sleep:3',
      'write:"😀"',
      'sleep:3',
      'write:"b"',
      'sleep:7',
      'write:"\\r"',
    ]);
  });

  it('sends queued messages one at a time, in order, even while the first is waiting', async () => {
    const held = deferred();
    const events: string[] = [];
    const pacer = new InputPacer({
      submitDelayMs: 10,
      write: (d) => events.push(d),
      sleep: () => held.promise,
    });
    const first = pacer.send('first', { submit: true });
    const second = pacer.send('second', { submit: true });
    await settle();
    expect(events).toEqual(['first']);
    expect(pacer.pending).toBe(2);
    held.resolve();
    await expect(Promise.all([first, second])).resolves.toEqual([true, true]);
    expect(events).toEqual(['first', '\r', 'second', '\r']);
    expect(pacer.pending).toBe(0);
  });

  it('holds input while the agent is not ready and types it after notifyReady once it is', async () => {
    let ready = false;
    const { pacer, events } = recorded({ isReady: () => ready });
    let result: boolean | undefined;
    void pacer.send('queued', { submit: true }).then((r) => (result = r));
    await settle();
    expect(events).toEqual([]);
    pacer.notifyReady(); // still not ready: nothing may be typed
    await settle();
    expect(events).toEqual([]);
    ready = true;
    await settle();
    expect(events).toEqual([]); // readiness is looked at again only when notified
    pacer.notifyReady();
    await settle();
    expect(events).toEqual(['write:"queued"', 'sleep:500', 'write:"\\r"']);
    expect(result).toBe(true);
  });

  it('sends whenReady: false input even while the agent is busy', async () => {
    const { pacer, events } = recorded({ isReady: () => false });
    await expect(pacer.send('\u001b', { submit: false, whenReady: false })).resolves.toBe(true);
    expect(events).toEqual(['write:"\\u001b"']);
  });

  it('does not hold an answer behind text that waits for the agent to be ready', async () => {
    let ready = false;
    const { pacer, events } = recorded({ isReady: () => ready });
    const message = pacer.send('next task', { submit: true });
    await settle();
    expect(events).toEqual([]);
    // The agent asks for approval: the answer must go out although "next task" is still waiting.
    await expect(pacer.send('y', { submit: false, whenReady: false })).resolves.toBe(true);
    expect(events).toEqual(['write:"y"']);
    ready = true;
    pacer.notifyReady();
    await expect(message).resolves.toBe(true);
    expect(events).toEqual(['write:"y"', 'write:"next task"', 'sleep:500', 'write:"\\r"']);
  });

  it('takes a readiness hook supplied later', async () => {
    const { pacer, events } = recorded();
    let ready = false;
    pacer.setReadiness(() => ready);
    const sent = pacer.send('later', { submit: false });
    await settle();
    expect(events).toEqual([]);
    ready = true;
    pacer.notifyReady();
    await expect(sent).resolves.toBe(true);
    expect(events).toEqual(['write:"later"']);
  });

  it('cancel resolves waiting input false and stops the message being typed', async () => {
    const held = deferred();
    const events: string[] = [];
    const pacer = new InputPacer({
      submitDelayMs: 10,
      charDelayMs: 1,
      write: (d) => events.push(d),
      sleep: () => held.promise,
    });
    const typing = pacer.send('abc', { submit: true });
    const waiting = pacer.send('next', { submit: true });
    await settle();
    pacer.cancel();
    held.resolve();
    await expect(Promise.all([typing, waiting])).resolves.toEqual([false, false]);
    expect(events).toEqual(['a']);
    await expect(pacer.send('after cancel', { submit: false })).resolves.toBe(true);
    pacer.dispose();
    await expect(pacer.send('after dispose', { submit: false })).resolves.toBe(false);
  });

  it('resolves false when writing fails and goes on with the next message', async () => {
    const written: string[] = [];
    const pacer = new InputPacer({
      submitDelayMs: 0,
      write: (d) => {
        if (d === 'bad') throw new Error('EIO');
        written.push(d);
      },
    });
    await expect(
      Promise.all([pacer.send('bad', { submit: false }), pacer.send('good', { submit: false })]),
    ).resolves.toEqual([false, true]);
    expect(written).toEqual(['good']);
  });

  it('waits for real when no sleep is injected', async () => {
    const times: number[] = [];
    const pacer = new InputPacer({ submitDelayMs: 40, write: () => times.push(performance.now()) });
    await pacer.send('x', { submit: true });
    expect(times).toHaveLength(2);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(35);
  });
});
