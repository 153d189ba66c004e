import { describe, expect, it } from 'vitest';
import { classifyPromptOrCommand } from '../../../extension/core/supervisor/promptRisk';

const policy = { workspaceRoot: '/w', allow: [], deny: [], medium: 'ask' as const };
const rate = (text: string, kind: 'prompt' | 'shell' = 'prompt') =>
  classifyPromptOrCommand({ text, kind, cwd: '/w' }, policy);

describe('classifyPromptOrCommand', () => {
  it('keeps prose low, even prose that names a dangerous program further on', () => {
    expect(rate('fix the failing test and run the suite')).toMatchObject({ risk: 'low', decision: 'auto' });
    expect(rate('remove the build folder, then rm -rf is not needed')).toMatchObject({ risk: 'low' });
  });

  it('rates a command quoted in a prompt', () => {
    expect(rate('please run `git push --force origin main`')).toMatchObject({
      risk: 'high',
      decision: 'ask',
    });
  });

  it('rates a "!" prompt as the shell command Claude Code and Gemini CLI run it as', () => {
    expect(rate('!git push --force origin main')).toMatchObject({ risk: 'high', decision: 'ask' });
    expect(rate('!ls')).toMatchObject({ risk: 'low', decision: 'auto' });
    // Prose with an apostrophe is not a command line: it stays low (it would not parse as one).
    expect(rate("Fix the bug (it's in foo.ts)")).toMatchObject({ risk: 'low', decision: 'auto' });
    const bang = rate('!sudo rm -rf /tmp/build');
    expect(['high', 'critical']).toContain(bang.risk);
    expect(bang.decision).not.toBe('auto');
  });

  it("rates a shell pane's input as the command it is", () => {
    const sudo = rate('sudo rm -rf /tmp/build', 'shell');
    expect(['high', 'critical']).toContain(sudo.risk);
    expect(sudo.decision).not.toBe('auto');
    expect(rate('ls -la', 'shell')).toMatchObject({ risk: 'low', decision: 'auto' });
  });
});
