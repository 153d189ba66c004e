import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * The bearer token of the HTTP mode: `FLEETAI_MCP_TOKEN` when set, else the one saved in
 * `.fleetai/state/mcp-server.token` (mode 0600), made on first use so agent configs that read the file keep
 * working across restarts.
 */
export async function mcpServerToken(
  stateDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<{ token: string; source: 'env' | 'file' | 'generated'; file: string }> {
  const file = path.join(stateDir, 'mcp-server.token');
  const fromEnv = env.FLEETAI_MCP_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env', file };
  const saved = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (saved) {
    // Someone may have widened it by hand; a token others can read is no token.
    await fs.chmod(file, 0o600).catch(() => undefined);
    return { token: saved, source: 'file', file };
  }
  await fs.mkdir(stateDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  await fs.writeFile(file, `${token}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return { token, source: 'generated', file };
}
