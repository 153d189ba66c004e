import { ErrorCode, FleetError, describeError } from '../errors';

import type * as NodePtyModule from 'node-pty';

type NodePty = typeof NodePtyModule;

let cached: NodePty | undefined;

/**
 * node-pty is a native module: it stays out of the bundle and is loaded on first use only, so activation does
 * not pay for it and a broken build shows up as one clear error instead of a failed activation.
 */
export function loadNodePty(): NodePty {
  if (cached) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy native load, kept external by esbuild
    cached = require('node-pty') as NodePty;
    return cached;
  } catch (error) {
    throw new FleetError(
      ErrorCode.NativeModule,
      `The terminal module node-pty could not be loaded in Node ${process.versions.node} (ABI ${process.versions.modules}): ${describeError(error)}`,
      { node: process.versions.node },
      { cause: error },
    );
  }
}

/** Spawns a real pseudo-terminal and reads what it prints: proof that the native module works in this host. */
export function probePty(timeoutMs = 5000): Promise<{ output: string; exitCode: number }> {
  const pty = loadNodePty();
  const marker = 'fleetai-pty-ok';
  const shell = process.platform === 'win32' ? 'cmd.exe' : '/bin/sh';
  const args = process.platform === 'win32' ? ['/c', `echo ${marker}`] : ['-c', `echo ${marker}`];
  return new Promise((resolve, reject) => {
    const child = pty.spawn(shell, args, { name: 'xterm-256color', cols: 80, rows: 24, env: process.env });
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new FleetError(ErrorCode.NativeModule, `pty probe printed nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    child.onData((data) => {
      output += data;
    });
    child.onExit(({ exitCode }) => {
      clearTimeout(timer);
      if (output.includes(marker)) resolve({ output: output.trim(), exitCode });
      else reject(new FleetError(ErrorCode.NativeModule, `pty probe exited ${exitCode} without output`));
    });
  });
}
