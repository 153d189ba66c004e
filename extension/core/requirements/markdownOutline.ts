/**
 * The outline of a Markdown document as the rules decomposition reads it: headings (outside fenced code) with
 * the lines under each up to the next heading. Headings deeper than `maxLevel` stay lines of their section.
 */

export interface Section {
  level: number;
  /** The heading text without `#`s and emphasis markers. */
  title: string;
  /** 1-based line of the heading in the document (0 for the root). */
  line: number;
  /** Lines between this heading and the next one, fences included as they are. */
  body: string[];
  children: Section[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;

export function plainText(text: string): string {
  return text
    .replace(/\*\*|__|`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}

/** Sections of headings up to `maxLevel`, nested by level, under a root of level 0. */
export function outline(markdown: string, maxLevel = 3): Section {
  const root: Section = { level: 0, title: '', line: 0, body: [], children: [] };
  const stack: Section[] = [root];
  let inFence = false;
  markdown.split(/\r?\n/).forEach((line, index) => {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    const level = heading?.[1]?.length ?? 0;
    if (!heading || level > maxLevel) {
      stack[stack.length - 1]!.body.push(line);
      return;
    }
    while (stack.length > 1 && stack[stack.length - 1]!.level >= level) stack.pop();
    const section: Section = {
      level,
      title: plainText(heading[2] ?? ''),
      line: index + 1,
      body: [],
      children: [],
    };
    stack[stack.length - 1]!.children.push(section);
    stack.push(section);
  });
  return root;
}

/** A list item: its indentation, text (without the marker or a `[ ]` box) and whether it was numbered. */
export interface ListItem {
  indent: number;
  text: string;
  numbered: boolean;
  checkbox: boolean;
}

const ITEM = /^(\s*)(?:([-*+])|(\d+)[.)])\s+(?:\[([ xX])\]\s+)?(.*\S)\s*$/;

export function listItem(line: string): ListItem | undefined {
  const match = ITEM.exec(line);
  if (!match) return undefined;
  return {
    indent: (match[1] ?? '').replace(/\t/g, '    ').length,
    text: plainText(match[5] ?? ''),
    numbered: match[3] !== undefined,
    checkbox: match[4] !== undefined,
  };
}

/** Lines outside fenced code blocks, with their index. */
export function unfenced(lines: readonly string[]): { line: string; index: number }[] {
  const out: { line: string; index: number }[] = [];
  let inFence = false;
  lines.forEach((line, index) => {
    if (FENCE.test(line)) {
      inFence = !inFence;
      return;
    }
    if (!inFence) out.push({ line, index });
  });
  return out;
}
