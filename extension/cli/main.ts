async function main(argv: string[]): Promise<number> {
  // `fleet hook` runs at every hook event of every agent, which waits for it: it skips the command parser and
  // the other commands' modules (esbuild evaluates a dynamically imported module only when it is imported).
  if (argv[2] === 'hook' && !argv.slice(3).some((a) => a === '-h' || a === '--help')) {
    const { runHook } = await import('./hook');
    await runHook(argv.slice(3), { err: (text) => process.stderr.write(text) });
    return 0;
  }
  const [{ CommanderError }, { createProgram }] = await Promise.all([
    import('commander'),
    import('./program'),
  ]);
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
