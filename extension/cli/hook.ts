import type { CliIo } from './io';

/**
 * `fleet hook [payload...]`: one agent hook event to the FleetAI process that runs the agent. Whatever happens,
 * nothing on stdout (Claude Code adds a hook's stdout to the model's context) and no failure: a problem is one
 * line on stderr, which Claude Code and Codex do not show for a hook that exits 0.
 */
export async function runHook(args: readonly string[], io: Pick<CliIo, 'err'>): Promise<void> {
  try {
    const { sendHook, readProcessStdin } = await import('../core/agents/hooks/hookSender');
    await sendHook({
      args,
      env: process.env,
      readStdin: readProcessStdin,
      warn: (line) => io.err(`${line}\n`),
    });
  } catch (error) {
    io.err(`fleet hook: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
