// Types for the JavaScript harness, so the TypeScript e2e tests use it with checks.
import type { Browser } from 'playwright-core';

export const repoRoot: string;
export const chromiumPath: string;
export const chromiumArgs: string[];
export interface CodeServerInstall {
  dir: string;
  node: string;
  entry: string;
}
export interface Sandbox {
  root: string;
  data: string;
  config: string;
  userData: string;
  extensions: string;
  logs: string;
}
export interface RunningCodeServer {
  port: number;
  url: string;
  logFile: string;
  stop(): Promise<void>;
}
export function ensureCodeServer(): CodeServerInstall;
export function freePort(): Promise<number>;
export function makeSandbox(label: string, settings?: Record<string, unknown>): Sandbox;
export function installVsix(cs: CodeServerInstall, sandbox: Sandbox, vsix: string): string;
export function startCodeServer(
  cs: CodeServerInstall,
  sandbox: Sandbox,
  workspace: string,
  options?: { port?: number; extraArgs?: string[] },
): Promise<RunningCodeServer>;
export function workbenchUrl(
  server: RunningCodeServer,
  workspace: string,
  payload?: [string, string][],
): string;
export function remoteUri(server: RunningCodeServer, absolutePath: string): string;
export function launchChromium(): Promise<Browser>;
export function installTestLanguagePack(cs: CodeServerInstall, sandbox: Sandbox): void;
