// The reference tables of docs/configuration.md, generated so they cannot drift from the code:
//   orchestrator   every key of .fleetai/orchestrator.json, from config/orchestrator.schema.json (which
//                  extension/build/gen-schemas.mjs writes from the zod schema, and test/unit/config/schema.test.ts
//                  keeps in step with it)
//   mcp            every key of an entry of mcp.servers.json, from config/mcp.servers.schema.json
//   settings       every fleetai.* VS Code setting, from package.json contributes.configuration + package.nls.json
// Each table sits between `<!-- BEGIN config-docs NAME -->` and `<!-- END config-docs NAME -->`.
//   node test/scripts/config-docs.mjs           -> rewrite the tables in docs/configuration.md
//   node test/scripts/config-docs.mjs --check   -> exit 1 when a table is out of date (test/unit/docs runs this)
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOC = path.join(root, 'docs', 'configuration.md');

const readJson = async (relative) => JSON.parse(await readFile(path.join(root, relative), 'utf8'));

/** A table cell: one line, pipes escaped. */
const cell = (text) =>
  String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|');

/** `"x"` / `3` / `[]` as code, or a dash when the key has no default. */
const shownDefault = (schema) => ('default' in schema ? `\`${JSON.stringify(schema.default)}\`` : '—');

function shownType(schema) {
  if ('const' in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' / ');
  if (schema.anyOf) return [...new Set(schema.anyOf.map(shownType))].join(' or ');
  if (schema.type === 'array') return `array of ${shownType(schema.items ?? {})}`;
  if (schema.type === 'object' && isRecord(schema)) return 'map';
  return schema.type ?? 'any';
}

const isRecord = (schema) =>
  schema.type === 'object' &&
  !schema.properties &&
  typeof schema.additionalProperties === 'object' &&
  schema.additionalProperties !== null;

/**
 * One row per key, depth first: `recovery`, `recovery.rate_limit`, `recovery.rate_limit.base_seconds`; array
 * items as `panes[].id`; maps as `agents.<name>.bin`. Alternatives (anyOf) contribute every key once.
 */
export function schemaRows(schema, prefix = '', rows = new Map()) {
  const variants = schema.anyOf ?? [schema];
  for (const variant of variants) {
    for (const [key, prop] of Object.entries(variant.properties ?? {})) {
      if (key === '$schema' && prefix !== '') continue;
      const name = `${prefix}${key}`;
      const required = (variant.required ?? []).includes(key);
      const seen = rows.get(name);
      if (!seen) {
        rows.set(name, {
          key: name,
          type: shownType(prop),
          default: required ? 'required' : shownDefault(prop),
          description: prop.description ?? '',
        });
      } else {
        // The same key in another alternative (`type`: "stdio" in one, "http" in the next): one row for both.
        const type = shownType(prop);
        if (!seen.type.split(' / ').includes(type)) seen.type = `${seen.type} / ${type}`;
        seen.description ||= prop.description ?? '';
      }
      if (prop.type === 'array' && prop.items?.properties) schemaRows(prop.items, `${name}[].`, rows);
      else if (isRecord(prop)) schemaRows(prop.additionalProperties, `${name}.<name>.`, rows);
      else if (prop.properties || prop.anyOf?.some((v) => v.properties)) schemaRows(prop, `${name}.`, rows);
    }
  }
  return rows;
}

function table(rows) {
  const lines = ['| Key | Type | Default | Meaning |', '|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| \`${row.key}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}

async function settingsTable() {
  const pkg = await readJson('package.json');
  const nls = await readJson('package.nls.json');
  const text = (value) =>
    typeof value === 'string' && /^%.+%$/.test(value) ? (nls[value.slice(1, -1)] ?? value) : (value ?? '');
  const sections = [pkg.contributes.configuration].flat();
  const rows = [];
  for (const section of sections) {
    for (const [key, prop] of Object.entries(section.properties ?? {})) {
      rows.push({
        key,
        type: Array.isArray(prop.type) ? prop.type.join(' or ') : prop.type,
        default: 'default' in prop ? `\`${JSON.stringify(prop.default)}\`` : '—',
        description: text(prop.markdownDescription ?? prop.description),
      });
    }
  }
  return table(rows);
}

/** NAME -> the Markdown that belongs between its markers. */
export async function generatedSections() {
  const orchestrator = await readJson('config/orchestrator.schema.json');
  const mcp = await readJson('config/mcp.servers.schema.json');
  return {
    orchestrator: table([...schemaRows(orchestrator).values()]),
    mcp: table([...schemaRows(mcp).values()]),
    settings: await settingsTable(),
  };
}

const marker = (name) => ({
  begin: `<!-- BEGIN config-docs ${name} -->`,
  end: `<!-- END config-docs ${name} -->`,
});

/** The document with every section replaced; a missing marker is an error naming it. */
export function fillSections(doc, sections) {
  let text = doc;
  for (const [name, body] of Object.entries(sections)) {
    const { begin, end } = marker(name);
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from === -1 || to === -1 || to < from) {
      throw new Error(`docs/configuration.md: missing "${begin}" ... "${end}"`);
    }
    text = `${text.slice(0, from + begin.length)}\n${body}\n${text.slice(to)}`;
  }
  return text;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const current = await readFile(DOC, 'utf8');
  const sections = await generatedSections();
  let next;
  try {
    next = fillSections(current, sections);
  } catch (error) {
    console.error(`config-docs: ${error.message}`);
    process.exit(1);
  }
  if (next === current) console.log('config-docs: docs/configuration.md is up to date');
  else if (check) {
    const stale = Object.keys(sections).filter(
      (name) => fillSections(current, { [name]: sections[name] }) !== current,
    );
    console.error(
      `config-docs: docs/configuration.md is out of date (${stale.join(', ')}): run ` +
        '`node test/scripts/config-docs.mjs` and commit the result',
    );
    process.exit(1);
  } else {
    await writeFile(DOC, next);
    console.log('config-docs: wrote docs/configuration.md');
  }
}
