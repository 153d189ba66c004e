import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';

/**
 * What the docs may name, taken from the code itself, and the checks that hold every Markdown file to it. The
 * test (docsTruth.test.ts) runs them over README.md and docs/; a failing sample there proves they can fail.
 */

export interface DocFacts {
  root: string;
  /** `fleet` sub-command -> every flag it accepts (long and short, `--help` included). */
  commands: Map<string, Set<string>>;
  /** Flags of `fleet` itself. */
  globalFlags: Set<string>;
  /** Palette titles after "FleetAI: ", English and Simplified Chinese. */
  paletteTitles: string[];
  /** `fleetai.*` names a doc may use: settings, command ids, view and webview ids. */
  fleetaiIds: Set<string>;
  settings: Set<string>;
  errorCodes: Set<string>;
}

export interface DocProblem {
  /** Repository-relative, with forward slashes. */
  file: string;
  line: number;
  message: string;
}

export const formatProblem = (p: DocProblem): string => `${p.file}:${p.line}: ${p.message}`;

/** README.md and every Markdown file under docs/, repository-relative. */
export function markdownFiles(root: string): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.md')) found.push(relative);
    }
  };
  walk('docs');
  return found.sort();
}

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[];
    views?: Record<string, { id: string }[]>;
    viewsContainers?: Record<string, { id: string }[]>;
  };
  activationEvents?: string[];
}

const readJson = <T>(root: string, relative: string): T =>
  JSON.parse(readFileSync(path.join(root, relative), 'utf8')) as T;

export function loadFacts(root: string, program: Command, errorCodes: Iterable<string>): DocFacts {
  const commands = new Map<string, Set<string>>();
  for (const command of program.commands) {
    const flags = new Set(['--help', '-h']);
    for (const option of command.options) {
      if (option.long) flags.add(option.long);
      if (option.short) flags.add(option.short);
    }
    for (const name of [command.name(), ...command.aliases()]) commands.set(name, flags);
  }
  const globalFlags = new Set(['--help', '-h']);
  for (const option of program.options) {
    if (option.long) globalFlags.add(option.long);
    if (option.short) globalFlags.add(option.short);
  }

  const manifest = readJson<Manifest>(root, 'package.json');
  const paletteTitles: string[] = [];
  for (const nlsFile of ['package.nls.json', 'package.nls.zh-cn.json']) {
    const nls = readJson<Record<string, string>>(root, nlsFile);
    const text = (value: string): string =>
      /^%.+%$/.test(value) ? (nls[value.slice(1, -1)] ?? value) : value;
    for (const command of manifest.contributes.commands) {
      if (command.category && text(command.category) !== 'FleetAI') continue;
      paletteTitles.push(text(command.title));
    }
  }

  const settings = new Set<string>();
  for (const section of [manifest.contributes.configuration].flat()) {
    for (const key of Object.keys(section.properties)) settings.add(key);
  }
  const fleetaiIds = new Set(settings);
  for (const command of manifest.contributes.commands) fleetaiIds.add(command.command);
  for (const list of [
    ...Object.values(manifest.contributes.views ?? {}),
    ...Object.values(manifest.contributes.viewsContainers ?? {}),
  ]) {
    for (const view of list) fleetaiIds.add(view.id);
  }
  for (const event of manifest.activationEvents ?? []) {
    const id = /^onWebviewPanel:(.+)$/.exec(event)?.[1];
    if (id) fleetaiIds.add(id);
  }
  // Codes of other channels (the control socket's E_CONTROL_TOKEN, the MCP server's E_NO_PANE) and the
  // SecretStorage keys (fleetai.notify.wecomWebhook) are named in the source as literals.
  const codes = new Set(errorCodes);
  for (const source of sourceTexts(root, 'extension')) {
    for (const m of source.matchAll(/['"`](E_[A-Z][A-Z0-9_]*[A-Z0-9])['"`]/g)) codes.add(m[1]!);
    for (const m of source.matchAll(/['"`](fleetai\.[A-Za-z][\w.]*)['"`]/g)) fleetaiIds.add(m[1]!);
  }
  return { root, commands, globalFlags, paletteTitles, fleetaiIds, settings, errorCodes: codes };
}

function sourceTexts(root: string, dir: string): string[] {
  const texts: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) texts.push(...sourceTexts(root, relative));
    else if (entry.name.endsWith('.ts')) texts.push(readFileSync(path.join(root, relative), 'utf8'));
  }
  return texts;
}

interface CodeText {
  line: number;
  code: string;
}

/** The code of a Markdown text, line by line: each line of a fenced block, and each inline code span. */
export function codeOf(text: string): CodeText[] {
  const found: CodeText[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const opener = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      if (opener && opener[0] === fence[0] && opener.length >= fence.length && raw.trim() === opener) {
        fence = undefined;
      } else found.push({ line, code: raw });
      return;
    }
    if (opener) {
      fence = opener;
      return;
    }
    for (const m of raw.matchAll(/(`+)(.+?)\1(?!`)/g)) found.push({ line, code: m[2]! });
  });
  return found;
}

/** `fleet <command> [flags]` in a line of code: the command word and the flags written after it. */
export function fleetInvocations(code: string): { command: string; flags: string[] }[] {
  const found: { command: string; flags: string[] }[] = [];
  // Quoted arguments ("run the tests --fast") are the agent's text, not fleet's flags.
  const plain = code.replace(/"[^"]*"|'[^']*'/g, '""');
  // Only where a command starts (the line's start, after a prompt `$ `, or after an operator): "the fleet
  // keeps its pace" in a sample output is prose.
  const invocation = /(?:^|&&|\|\||[;|(])\s*(?:\$\s+)?(?:npx\s+)?fleet\s+(--?[A-Za-z][\w-]*|[a-z][\w:-]*)/g;
  for (const m of plain.matchAll(invocation)) {
    const word = m[1]!;
    const start = m.index + m[0].length;
    // `fleet mcp:*`, `fleet approvals:...`: a family of commands, not one.
    if (word.endsWith(':') || plain[start] === '*') continue;
    if (word.startsWith('-')) {
      found.push({ command: '', flags: [word] });
      continue;
    }
    // The command's own words end at the next shell operator or comment.
    const rest = plain.slice(start).split(/&&|\|\||[|;`)]|\s#/)[0] ?? '';
    const flags: string[] = [];
    for (const token of rest.replace(/[[\]]/g, ' ').split(/\s+/)) {
      if (token === '--') break;
      const flag = /^(--?[A-Za-z][\w-]*)(=.*)?$/.exec(token)?.[1];
      if (flag) flags.push(flag);
    }
    found.push({ command: word, flags });
  }
  return found;
}

const REPO_PATH =
  /(?<![\w./~<>-])((?:docs|extension|config|test|agents-config|webview|media)\/[\w./-]*)(?=([^\w./-]|$))/g;

/** Ellipses typed as three dots, and the part of a title before a parenthesis, are the same title. */
const titleForms = (title: string): string[] => {
  const plain = title.replace(/…$/, '').trim();
  const short = plain.replace(/\s*\(.*\)$/, '').trim();
  return [...new Set([title, plain, short])];
};

/** Every claim of one Markdown file checked against the facts. */
export function checkMarkdown(file: string, text: string, facts: DocFacts): DocProblem[] {
  const problems: DocProblem[] = [];
  const add = (line: number, message: string): void => {
    problems.push({ file, line, message });
  };
  const dir = path.dirname(path.join(facts.root, file));

  for (const { line, code } of codeOf(text)) {
    // (1) commands and their flags
    for (const call of fleetInvocations(code)) {
      if (call.command === '') {
        for (const flag of call.flags)
          if (!facts.globalFlags.has(flag)) add(line, `\`fleet ${flag}\`: fleet has no such option`);
        continue;
      }
      const flags = facts.commands.get(call.command);
      if (!flags) {
        add(line, `\`fleet ${call.command}\`: no such command in the fleet CLI (extension/cli/program.ts)`);
        continue;
      }
      for (const flag of call.flags) {
        if (!flags.has(flag))
          add(line, `\`fleet ${call.command} ${flag}\`: the command has no option ${flag}`);
      }
    }
    // (3) repository paths named in code
    for (const m of code.matchAll(REPO_PATH)) {
      const after = code[m.index + m[0].length];
      if (after !== undefined && /[*<{$]/.test(after)) continue; // a pattern or a placeholder, not a file
      const target = m[1]!.replace(/[.:]+$/, '');
      if (!existsSync(path.join(facts.root, target)))
        add(line, `path \`${target}\` does not exist in the repository`);
    }
  }

  const lines = text.split('\n');
  const inFence = fencedLines(lines);
  lines.forEach((raw, index) => {
    const line = index + 1;
    // (3) relative Markdown links and images
    if (!inFence.has(line)) {
      for (const m of raw.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1]!;
        if (/^(?:[a-z][\w+.-]*:|#|\/\/)/i.test(target)) continue;
        const file = path.resolve(dir, decodeURIComponent(target.replace(/[#?].*$/, '')));
        // test-results/ is rebuilt by each test run and absent from a clone: pictures the docs show live in docs/images/.
        if (path.relative(facts.root, file).split(path.sep)[0] === 'test-results')
          add(
            line,
            `link target \`${target}\` is in test-results/, which a clone does not have: copy it to docs/images/`,
          );
        else if (!existsSync(file)) add(line, `link target \`${target}\` does not exist`);
      }
    }
    // (2) palette titles
    for (const m of raw.matchAll(/FleetAI: ([^\n]*)/g)) {
      // A title may wrap onto the next line of the paragraph.
      const next = inFence.has(line + 1) ? '' : (lines[index + 1] ?? '').trim();
      const rest = `${m[1]!} ${next}`.replace(/\.\.\./g, '…');
      if (!/^[A-Z\u4e00-\u9fff]/.test(rest)) continue; // a status bar ("FleetAI: 2 working") or a terminal name
      const known = facts.paletteTitles.some((title) =>
        titleForms(title).some(
          (form) => rest.startsWith(form) && !/^[\w\u4e00-\u9fff]/.test(rest.slice(form.length)),
        ),
      );
      if (!known) {
        const shown = rest.split(/\*\*|["”`]|[.,;:] /)[0]!.trim();
        add(line, `palette command "FleetAI: ${shown}" is not in package.json / package.nls*.json`);
      }
    }
    // (4) fleetai.* names
    for (const m of raw.matchAll(/(?<![\w.-])fleetai\.[A-Za-z][\w.]*/g)) {
      const name = m[0].replace(/\.+$/, '');
      if (/\.(vsix|svg|png|c?js|mjs|json|md|ts)$/.test(name)) continue; // a file (fleetai.vsix), not a name
      if (!facts.fleetaiIds.has(name))
        add(line, `\`${name}\` is not a fleetai.* setting, command or view in package.json`);
    }
    // Error codes users are told about must be ones FleetAI reports.
    for (const m of raw.matchAll(/\bE_[A-Z][A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (!facts.errorCodes.has(m[0]))
        add(line, `error code ${m[0]} is not reported anywhere in extension/ (errors.ts)`);
    }
  });
  return problems;
}

function fencedLines(lines: string[]): Set<number> {
  const inside = new Set<number>();
  let fence: string | undefined;
  lines.forEach((raw, index) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      inside.add(index + 1);
      if (opener && opener[0] === fence[0] && raw.trim() === opener) fence = undefined;
    } else if (opener) {
      fence = opener;
      inside.add(index + 1);
    }
  });
  return inside;
}

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  anyOf?: JsonSchemaNode[];
  type?: string;
}

/**
 * Every key of a JSON Schema as the docs write it: `recovery.rate_limit.base_seconds`, `panes[].id`,
 * `agents.<name>.bin`.
 */
export function schemaKeys(schema: JsonSchemaNode, prefix = ''): string[] {
  const keys: string[] = [];
  for (const variant of schema.anyOf ?? [schema]) {
    for (const [key, prop] of Object.entries(variant.properties ?? {})) {
      if (key === '$schema' && prefix !== '') continue;
      const name = `${prefix}${key}`;
      keys.push(name);
      if (prop.type === 'array' && prop.items?.properties) keys.push(...schemaKeys(prop.items, `${name}[].`));
      else if (!prop.properties && typeof prop.additionalProperties === 'object')
        keys.push(...schemaKeys(prop.additionalProperties, `${name}.<name>.`));
      else if (prop.properties || prop.anyOf) keys.push(...schemaKeys(prop, `${name}.`));
    }
  }
  return [...new Set(keys)];
}

/** (5) Keys of the schema that the configuration reference does not name in a code span. */
export function missingConfigKeys(file: string, text: string, keys: readonly string[]): DocProblem[] {
  const named = new Set(codeOf(text).map((c) => c.code.trim()));
  // Where the table is (or should be): its marker, else the top of the file.
  const line = text.split('\n').findIndex((l) => l.includes('BEGIN config-docs orchestrator')) + 1 || 1;
  return keys
    .filter((key) => !named.has(key))
    .map((key) => ({ file, line, message: `orchestrator.json key \`${key}\` is not documented` }));
}

/** The lines between `<!-- BEGIN NAME -->` and `<!-- END NAME -->`; a missing marker fails loudly. */
export function markedSection(text: string, name: string): string[] {
  const lines = text.split('\n');
  const begin = lines.indexOf(`<!-- BEGIN ${name} -->`);
  const end = lines.indexOf(`<!-- END ${name} -->`);
  if (begin === -1 || end < begin)
    throw new Error(`no "<!-- BEGIN ${name} -->" ... "<!-- END ${name} -->" section`);
  return lines.slice(begin + 1, end);
}

/**
 * The ids of the checks `fleet doctor` can report, from its source: `node`, `config`, ... and the prefixes of the
 * ones named after what they check (`agent:`, `env:`, `webhook:` ...).
 */
export function doctorCheckIds(root: string): string[] {
  const ids = new Set<string>();
  const dir = path.join(root, 'extension', 'core', 'doctor');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const source = readFileSync(path.join(dir, name), 'utf8');
    for (const m of source.matchAll(/\bid(?:: | = )'([a-z][a-z.]*)'|`([a-z][a-z.]*:)\$\{/g))
      ids.add((m[1] ?? m[2])!);
  }
  return [...ids].sort();
}

/** Doctor check ids a troubleshooting page does not name in a code span (`env:<VARIABLE>` names `env:`). */
export function undocumentedDoctorChecks(file: string, text: string, ids: readonly string[]): DocProblem[] {
  const spans = codeOf(text).map((c) => c.code.trim());
  return ids
    .filter((id) => !spans.some((span) => (id.endsWith(':') ? span.startsWith(id) : span === id)))
    .map((id) => ({ file, line: 1, message: `fleet doctor check \`${id}\` is not explained` }));
}

/** Fenced `json`/`jsonc` blocks whose first line names `.fleetai/orchestrator.json`: the config examples. */
export function configExamples(text: string): { line: number; body: string }[] {
  const examples: { line: number; body: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```jsonc?\s*$/.test(lines[i]!)) continue;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    if (end === -1) break;
    if (lines[i + 1]?.includes('.fleetai/orchestrator.json')) {
      const body = lines.slice(i + 1, end).join('\n');
      // A fragment (`"notify": { ... }`) is a key of the top-level object: checked as one; lines keep their numbers.
      const first = body.split('\n').find((l) => l.trim() && !l.trim().startsWith('//'));
      examples.push({ line: i + 2, body: first?.trim().startsWith('"') ? `{${body}\n}` : body });
    }
    i = end;
  }
  return examples;
}
