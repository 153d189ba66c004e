/**
 * The `.gitignore` lines `fleet init` proposes: what FleetAI writes as it runs (state, logs, backups) has no
 * place in the repository, while the configs next to them (orchestrator.json, mcp.servers.json) do.
 */
export function proposedGitignoreLines(directoryName = '.fleetai'): string[] {
  const dir = directoryName.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  return ['state', 'logs', 'backups'].map((sub) => `${dir}/${sub}/`);
}

/** A `.gitignore` pattern as compared here: no surrounding blanks, no leading or trailing slash. */
function normalize(line: string): string {
  return line.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * The proposed lines the file does not have yet. A line counts as present when the file has it with or without
 * a leading or trailing slash, or when it ignores the whole FleetAI folder (`.fleetai/`, `.fleetai`).
 */
export function missingGitignoreLines(existing: string | undefined, proposed: readonly string[]): string[] {
  const lines = new Set(
    (existing ?? '')
      .split(/\r?\n/)
      .filter((l) => !l.trim().startsWith('#'))
      .map(normalize)
      .filter(Boolean),
  );
  return proposed.filter((line) => {
    const wanted = normalize(line);
    const parent = wanted.slice(0, wanted.lastIndexOf('/'));
    return !lines.has(wanted) && !(parent && lines.has(parent));
  });
}

/**
 * The file with the missing lines added at its end under a comment, keeping everything else byte for byte
 * (its line endings too). Unchanged when nothing is missing.
 */
export function appendGitignoreLines(existing: string | undefined, missing: readonly string[]): string {
  const text = existing ?? '';
  if (missing.length === 0) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' ? '' : text.endsWith('\n') ? eol : `${eol}${eol}`;
  return `${text}${separator}# FleetAI: state, logs and backups (fleet init)${eol}${missing.join(eol)}${eol}`;
}
