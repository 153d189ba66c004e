/** Where a `fleet` command writes; tests pass their own to read what it printed. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}
