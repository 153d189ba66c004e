import { CommanderError } from 'commander';
import { createProgram } from './program';

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // --help and --version end through exitOverride with exit code 0; real usage errors were printed already.
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`fleet: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
