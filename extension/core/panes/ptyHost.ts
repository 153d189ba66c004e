import { loadNodePty } from '../doctor/nativePty';
import { ErrorCode, FleetError, describeError } from '../errors';
import type { Disposable } from './events';

export interface PtySpawnOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  cols: number;
  rows: number;
  /** The terminal type, exported to the child as TERM. */
  name: string;
}

export interface PtyExit {
  exitCode: number;
  /** The signal number that ended the process, when one did (0 or absent otherwise). */
  signal?: number;
}

/** One running process on a pseudo-terminal. */
export interface PtyProcess {
  readonly pid: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** `signal` is a name such as "SIGTERM"; node-pty sends SIGHUP when none is given. */
  kill(signal?: string): void;
  onData(listener: (data: string) => void): Disposable;
  onExit(listener: (exit: PtyExit) => void): Disposable;
}

/**
 * How the core starts processes on a terminal. The extension host and the CLI use node-pty; tests may pass a
 * scripted host to play an agent's bytes without the agent.
 */
export interface PtyHost {
  spawn(file: string, args: readonly string[], options: PtySpawnOptions): PtyProcess;
}

/** The real host. node-pty is required on the first spawn only, so merely importing the panes costs nothing. */
export function nodePtyHost(): PtyHost {
  return {
    spawn(file, args, options) {
      const pty = loadNodePty();
      try {
        const child = pty.spawn(file, [...args], {
          name: options.name,
          cols: options.cols,
          rows: options.rows,
          cwd: options.cwd,
          env: options.env,
        });
        return {
          get pid() {
            return child.pid;
          },
          write: (data) => child.write(data),
          resize: (cols, rows) => child.resize(cols, rows),
          kill: (signal) => child.kill(signal),
          onData: (listener) => child.onData(listener),
          onExit: (listener) => child.onExit(listener),
        };
      } catch (error) {
        throw new FleetError(
          ErrorCode.PaneSpawn,
          `Cannot start ${file} on a terminal: ${describeError(error)}`,
          { file, cwd: options.cwd },
          { cause: error },
        );
      }
    },
  };
}
