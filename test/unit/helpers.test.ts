import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught, useTempDirs } from './helpers';

const tempDir = useTempDirs();
let previous: string | undefined;

describe('test helpers', () => {
  it('caught() fails loudly when nothing was thrown', async () => {
    await expect(caught(() => undefined)).rejects.toThrow('expected a failure');
    await expect(caught(() => Promise.reject(new Error('boom')))).resolves.toMatchObject({ message: 'boom' });
  });

  it('useTempDirs() makes a fresh folder per call', () => {
    previous = tempDir();
    expect(existsSync(previous)).toBe(true);
    expect(tempDir()).not.toBe(previous);
  });

  it('useTempDirs() removes the folders after the test', () => {
    expect(previous && existsSync(previous)).toBe(false);
  });
});
