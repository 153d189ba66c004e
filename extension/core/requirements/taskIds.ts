/**
 * Task ids from titles. Ids must match the config's pattern (letters, digits, ".", "_", "-", at most 64) and
 * end up in `/approve <task>` chat commands, so they are short ASCII slugs; a title with (almost) no ASCII
 * letters, as most Chinese titles, gets `t<n>` from its position instead of a meaningless fragment.
 */

const MAX_SLUG = 40;

/** Leading numbering of a heading: "1.", "2)", "Step 3:", "第三步", "一、", "Phase 2 -". */
export const NUMBERING =
  /^\s*(?:(?:step|phase|stage|part)\s*\d+\s*[:.)\-–—]?|第\s*[0-9一二三四五六七八九十百]+\s*[步阶段章节部分]*\s*[:：、.]?|[0-9]+(?:\.[0-9]+)*\s*[.)、:：]|[一二三四五六七八九十百]+\s*[、.．:：])\s*/i;

export function stripNumbering(title: string): string {
  return title.replace(NUMBERING, '').trim();
}

export function isNumbered(title: string): boolean {
  return NUMBERING.test(title);
}

/** A slug of the title's ASCII words, or undefined when that leaves fewer than two characters. */
export function slugOf(title: string): string | undefined {
  const slug = stripNumbering(title)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '');
  return slug.length >= 2 ? slug : undefined;
}

/** Unique ids for titles, in order: slugs, `t<position>` where there is none, `-2`, `-3`... on a repeat. */
export function idsForTitles(titles: readonly string[]): string[] {
  const used = new Set<string>();
  return titles.map((title, index) => {
    const base = slugOf(title) ?? `t${index + 1}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}
