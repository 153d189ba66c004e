import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeName,
  encodeName,
  hasReversibleName,
  namespaceFolder,
  namespaceOfFolder,
  parseEntryName,
  writesFileName,
  checkpointFileName,
} from '../../../../extension/core/plans/checkpoint/fileNames';

describe('checkpoint file names', () => {
  it('leaves uuid-like ids as they are and escapes everything else', () => {
    expect(encodeName('1f1e5a39-27fb-6930-8004-593baf81c353')).toBe('1f1e5a39-27fb-6930-8004-593baf81c353');
    expect(encodeName('Thread 1')).toBe('_54hread_201');
    expect(encodeName('../../etc')).toBe('_2e_2e_2f_2e_2e_2fetc');
    expect(encodeName('计划')).toBe('_e8_ae_a1_e5_88_92');
  });

  it('keeps ids that differ only in case apart (macOS and Windows fold case)', () => {
    expect(encodeName('Run').toLowerCase()).not.toBe(encodeName('run').toLowerCase());
  });

  it('never produces a Windows device name', () => {
    for (const id of ['con', 'nul', 'com1', 'lpt9', 'aux', 'prn']) {
      const name = encodeName(id);
      expect(name).not.toBe(id);
      expect(decodeName(name)).toBe(id);
    }
  });

  it('cuts long ids and finishes them with a hash; such names do not decode', () => {
    const long = 'x'.repeat(300);
    const name = encodeName(long);
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name).toMatch(/~[0-9a-f]{16}$/);
    expect(decodeName(name)).toBeUndefined();
    expect(hasReversibleName(long)).toBe(false);
    expect(encodeName(`${'x'.repeat(299)}y`)).not.toBe(name);
    // Never cut inside an escape.
    expect(encodeName(`${'a'.repeat(98)}${'/'.repeat(50)}`)).toMatch(/^a{98}~/);
  });

  it('round-trips any well-formed string short enough, in names made only of [a-z0-9_~-]', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (id) => {
        const name = encodeName(id);
        expect(name).toMatch(/^[a-z0-9_~-]+$/);
        const wellFormed = Buffer.from(id, 'utf8').toString('utf8') === id; // no lone surrogate
        if (wellFormed && !name.includes('~')) expect(decodeName(name)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it('names namespace folders and tells the files in them apart', () => {
    expect(namespaceFolder('')).toBe('root');
    expect(namespaceFolder('root')).toBe('ns-root');
    expect(namespaceOfFolder(namespaceFolder('parent:1|child:2'))).toBe('parent:1|child:2');
    expect(namespaceOfFolder('something-else')).toBeUndefined();
    expect(parseEntryName(checkpointFileName('Abc'))).toEqual({
      kind: 'checkpoint',
      checkpointId: 'Abc',
      name: '_41bc.checkpoint.json',
    });
    expect(parseEntryName(writesFileName('abc', 'task.1'))).toEqual({
      kind: 'writes',
      checkpointId: 'abc',
      name: 'abc.task_2e1.writes.json',
    });
    expect(parseEntryName('.abc.checkpoint.json.123.deadbeef.tmp')).toBeUndefined();
    expect(parseEntryName('notes.txt')).toBeUndefined();
  });
});
