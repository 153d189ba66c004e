import type { DraftTaskInput } from './draftSchema';
import { listItem, outline, plainText, unfenced, type Section } from './markdownOutline';
import { idsForTitles, isNumbered, stripNumbering } from './taskIds';

/**
 * Decomposition without a model, from the document's Markdown structure:
 * - `##` and `###` headings are tasks; a heading whose sub-headings are tasks is a group (its title becomes a
 *   tag of those tasks); with no such headings, `#` headings, else top-level list items, else one task;
 * - bullets under an "Acceptance" / "验收" heading or label (and `- [ ]` boxes anywhere in a task) are its
 *   checklist; a backticked command on a line of that section that says run/test/verify/命令 is its command;
 * - "depends on X", "after X", "依赖 X", "在 X 之后" (in a title or body) are dependencies, X matched against the
 *   other tasks' ids and titles;
 * - numbered headings ("1.", "一、", "Step 2", "第二步") run in sequence when nothing else says.
 * Context sections ("Overview", "Background", "目标", "背景") are no tasks.
 * An "Acceptance" / "验收标准" section that belongs to no task is the whole document's: it becomes a last task
 * that depends on every other one.
 */

export interface RulesResult {
  tasks: DraftTaskInput[];
  /** What the rules could not settle (a dependency that names no task), for the draft's `notes`. */
  notes: string[];
}

const ACCEPTANCE_TITLE =
  /^(?:acceptance(?:\s+criteria)?|acceptance\s+tests?|done\s+when|definition\s+of\s+done|验收(?:标准|条件|准则)?|完成标准)\s*[:：]?$/i;
/** Sections that explain rather than ask for work. */
const CONTEXT_TITLE =
  /^(?:overview|background|context|introduction|summary|goals?|purpose|scope|non-goals|notes?|目标|背景|概述|简介|说明|范围|备注)\s*[:：]?$/i;
const DEPENDS_TITLE =
  /^(?:depends\s+on|dependencies|prerequisites|依赖(?:于|项)?|前置(?:条件|任务)?)\s*[:：]?$/i;
/** "**Acceptance:**" on a line of its own, or followed by the first item. */
const ACCEPTANCE_LABEL =
  /^\s*(?:acceptance(?:\s+criteria)?|done\s+when|验收(?:标准|条件)?|完成标准)\s*[:：]\s*(.*)$/i;
const DEPENDS_LABEL =
  /^\s*(?:depends\s+on|dependencies|prerequisites|依赖(?:于|项)?|前置(?:条件|任务)?)\s*[:：]\s*(.*)$/i;
const COMMAND_LABEL = /^\s*(?:command|test\s+command|check|验收命令|命令|检查命令)\s*[:：]\s*`([^`]+)`/i;
const COMMAND_WORDS = /\b(?:run|runs|command|verify|test|tests|check|passes)\b|运行|执行|命令|验证|通过/i;
/** Dependency phrases in running text; the capture is the reference list. */
const DEPENDS_PHRASES = [
  /\bdepends\s+on\s+(.+?)(?:[.;。；]|$)/i,
  /\b(?:only\s+)?after\s+(.+?)(?:\s+(?:is|are|has|have)\s+(?:done|finished|complete[d]?)|[.;,。；，]|$)/i,
  /依赖(?:于)?\s*[:：]?\s*(.+?)(?:[。；;]|$)/,
  /在\s*(.+?)\s*(?:完成)?之后/,
];
/** Phrases that must resolve; "after ..." is ordinary prose too often to report when it names no task. */
const STRICT_PHRASES = new Set([0, 2]);

interface Node {
  title: string;
  section: Section;
  children: Node[];
  /** A document-level acceptance section turned into a task. */
  gate?: boolean;
  /** Set on leaves: index into `leaves`. */
  leaf?: number;
}

interface Leaf {
  node: Node;
  title: string;
  tags: string[];
  checklist: string[];
  command?: string;
  prompt?: string;
  /** References (task names) from the text, with whether they must resolve. */
  refs: { ref: string; strict: boolean }[];
  depends: Set<number>;
  explicit: boolean;
}

export function rulesDecompose(markdown: string): RulesResult {
  const root = outline(markdown);
  const notes: string[] = [];
  const nodes = taskNodes(root);
  const leaves: Leaf[] = [];
  const collect = (node: Node, tags: string[]): void => {
    if (node.children.length === 0) {
      node.leaf = leaves.length;
      leaves.push(leafOf(node, tags));
    } else for (const child of node.children) collect(child, [...tags, node.title]);
  };
  for (const node of nodes) collect(node, []);
  if (leaves.length === 0) {
    const items = topLevelItems(root.body);
    const docTitle = root.children[0]?.title ?? 'Requirements';
    if (items.length > 0) return fromItems(items);
    return {
      tasks: [{ id: idsForTitles([docTitle])[0]!, title: docTitle, depends_on: [] }],
      notes,
    };
  }
  const ids = idsForTitles(leaves.map((l) => l.title));

  // Explicit references first: they decide, and a task that has any is left out of the numbered sequence.
  leaves.forEach((leaf, i) => {
    for (const { ref, strict } of leaf.refs) {
      const targets = resolve(ref, nodes, leaves, ids).filter((t) => t !== i);
      if (targets.length === 0) {
        if (strict)
          notes.push(`"${leaf.title}" (${ids[i]}): the dependency "${ref}" names no task of the document`);
        continue;
      }
      targets.forEach((t) => leaf.depends.add(t));
      leaf.explicit = true;
    }
  });
  const sequence = (siblings: Node[]): void => {
    let previous: Node | undefined;
    for (const node of siblings) {
      if (node.gate) continue;
      if (previous && isNumbered(previous.section.title) && isNumbered(node.section.title)) {
        for (const entry of leavesOf(node)) {
          const leaf = leaves[entry]!;
          if (!leaf.explicit) for (const dep of leavesOf(previous)) leaf.depends.add(dep);
        }
      }
      previous = node;
      sequence(node.children);
    }
  };
  sequence(nodes);
  // A document-level acceptance task comes after every other task of its scope.
  const gates = (siblings: Node[]): void => {
    for (const node of siblings) {
      if (node.gate && node.leaf !== undefined) {
        for (const other of siblings.filter((s) => s !== node && !s.gate))
          for (const dep of leavesOf(other)) leaves[node.leaf]!.depends.add(dep);
      }
      gates(node.children);
    }
  };
  gates(nodes);
  const tasks = leaves.map((leaf, i): DraftTaskInput => {
    const acceptance =
      leaf.checklist.length > 0 || leaf.command
        ? {
            ...(leaf.checklist.length > 0 ? { checklist: leaf.checklist } : {}),
            ...(leaf.command ? { command: leaf.command } : {}),
          }
        : undefined;
    return {
      id: ids[i]!,
      title: leaf.title,
      depends_on: [...leaf.depends].sort((a, b) => a - b).map((d) => ids[d]!),
      ...(acceptance ? { acceptance } : {}),
      ...(leaf.tags.length > 0 ? { tags: leaf.tags } : {}),
      ...(leaf.prompt ? { prompt: leaf.prompt } : {}),
    };
  });
  return { tasks, notes };
}

/** The top-level task nodes: `##`/`###` headings, else `#` headings when there are several. */
function taskNodes(root: Section): Node[] {
  const build = (sections: Section[]): Node[] =>
    sections
      .filter((s) => !DEPENDS_TITLE.test(s.title) && !CONTEXT_TITLE.test(stripNumbering(s.title)))
      .map((s): Node => {
        if (ACCEPTANCE_TITLE.test(stripNumbering(s.title))) {
          return { title: stripNumbering(s.title), section: s, children: [], gate: true };
        }
        // Acceptance and dependency sub-headings belong to this task; other sub-headings are tasks of their own.
        const children = build(s.children.filter((c) => !isPartOfTask(c)));
        return { title: stripNumbering(s.title) || s.title, section: s, children };
      });
  const top = root.children;
  const belowTitle = top.length === 1 && top[0]!.level === 1 ? top[0]!.children : top;
  if (belowTitle.some((s) => s.level >= 2)) return build(belowTitle);
  // Several `#` headings and nothing deeper: each is a task.
  if (top.length > 1) return build(top.map((s) => ({ ...s, children: [] })));
  return [];
}

function isPartOfTask(section: Section): boolean {
  const title = stripNumbering(section.title);
  return ACCEPTANCE_TITLE.test(title) || DEPENDS_TITLE.test(title);
}

function leafOf(node: Node, tags: string[]): Leaf {
  const leaf: Leaf = {
    node,
    title: node.title,
    tags,
    checklist: [],
    refs: [],
    depends: new Set(),
    explicit: false,
  };
  if (node.gate) {
    readBody(leaf, node.section.body, 'acceptance');
    return leaf;
  }
  addRefs(leaf, node.section.title);
  readBody(leaf, node.section.body, 'text');
  const parts = node.section.children.filter(isPartOfTask);
  for (const part of parts) {
    readBody(leaf, part.body, ACCEPTANCE_TITLE.test(stripNumbering(part.title)) ? 'acceptance' : 'depends');
  }
  const prompt = promptText(node.section.body);
  if (prompt) leaf.prompt = prompt;
  return leaf;
}

type Mode = 'text' | 'acceptance' | 'depends';

function readBody(leaf: Leaf, body: readonly string[], start: Mode): void {
  let mode = start;
  for (const { line } of unfenced(body)) {
    const deeper = /^#{4,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (deeper) {
      const title = stripNumbering(plainText(deeper[1] ?? ''));
      mode = ACCEPTANCE_TITLE.test(title) ? 'acceptance' : DEPENDS_TITLE.test(title) ? 'depends' : 'text';
      continue;
    }
    const text = plainText(line);
    const command = COMMAND_LABEL.exec(line)?.[1];
    if (command) {
      leaf.command ??= command.trim();
      continue;
    }
    const acceptance = ACCEPTANCE_LABEL.exec(text);
    if (acceptance) {
      mode = 'acceptance';
      if (acceptance[1]) leaf.checklist.push(acceptance[1]);
      continue;
    }
    const depends = DEPENDS_LABEL.exec(text);
    if (depends) {
      mode = 'depends';
      if (depends[1]) splitRefs(depends[1]).forEach((ref) => leaf.refs.push({ ref, strict: true }));
      continue;
    }
    const item = listItem(line);
    if (mode === 'acceptance') {
      if (item) leaf.checklist.push(item.text);
      const inline = /`([^`]+)`/.exec(line)?.[1];
      if (inline && COMMAND_WORDS.test(line) && !leaf.command) leaf.command = inline.trim();
      continue;
    }
    if (mode === 'depends' && item) {
      splitRefs(item.text).forEach((ref) => leaf.refs.push({ ref, strict: true }));
      continue;
    }
    if (item?.checkbox) leaf.checklist.push(item.text);
    addRefs(leaf, text);
  }
}

function addRefs(leaf: Leaf, text: string): void {
  DEPENDS_PHRASES.forEach((phrase, index) => {
    const match = phrase.exec(text);
    if (match?.[1])
      splitRefs(match[1]).forEach((ref) => leaf.refs.push({ ref, strict: STRICT_PHRASES.has(index) }));
  });
}

function splitRefs(list: string): string[] {
  return list
    .split(/\s*(?:,|，|、|;|；|\band\b|和|及|以及)\s*/i)
    .map((ref) =>
      plainText(ref)
        .replace(/^(?:the\s+)?(?:tasks?|sections?|任务|章节)\s*/i, '')
        .replace(/\s*(?:tasks?|sections?|任务|章节)$/i, '')
        .replace(/^["'“‘「]|["'”’」.。]$/g, '')
        .trim(),
    )
    .filter((ref) => ref.length > 0);
}

const norm = (text: string): string =>
  stripNumbering(plainText(text)).toLowerCase().replace(/\s+/g, ' ').trim();

/** The leaves a reference names: an id, a title (exact, then contained either way), or a group's tasks. */
function resolve(ref: string, nodes: Node[], leaves: Leaf[], ids: string[]): number[] {
  const wanted = norm(ref);
  if (!wanted) return [];
  const byId = ids.indexOf(wanted);
  if (byId >= 0) return [byId];
  const all: Node[] = [];
  const walk = (list: Node[]): void =>
    list.forEach((n) => {
      all.push(n);
      walk(n.children);
    });
  walk(nodes);
  const exact = all.find((n) => norm(n.title) === wanted || norm(n.section.title) === wanted);
  const loose =
    exact ??
    (wanted.length >= 2
      ? (all.find((n) => norm(n.title).includes(wanted)) ??
        all.find((n) => norm(n.title).length >= 2 && wanted.includes(norm(n.title))))
      : undefined);
  return loose ? leavesOf(loose).filter((i) => leaves[i] !== undefined) : [];
}

function leavesOf(node: Node): number[] {
  if (node.leaf !== undefined) return [node.leaf];
  return node.children.flatMap(leavesOf);
}

/** A task's own section text, as the instruction its pane gets (capped: it is a prompt, not an archive). */
function promptText(body: readonly string[]): string | undefined {
  const text = body.join('\n').trim();
  if (!text) return undefined;
  return text.length > 4000 ? `${text.slice(0, 3999)}…` : text;
}

/** A document without headings: its top-level list items are the tasks (numbered ones in sequence). */
function topLevelItems(body: readonly string[]): { title: string; numbered: boolean; checklist: string[] }[] {
  const items: { title: string; numbered: boolean; checklist: string[] }[] = [];
  let indent = -1;
  for (const { line } of unfenced(body)) {
    const item = listItem(line);
    if (!item) continue;
    if (indent < 0 || item.indent <= indent) {
      indent = item.indent;
      items.push({ title: item.text, numbered: item.numbered, checklist: [] });
    } else items[items.length - 1]?.checklist.push(item.text);
  }
  return items;
}

function fromItems(items: { title: string; numbered: boolean; checklist: string[] }[]): RulesResult {
  const ids = idsForTitles(items.map((i) => i.title));
  return {
    tasks: items.map((item, i) => ({
      id: ids[i]!,
      title: stripNumbering(item.title) || item.title,
      depends_on: item.numbered && i > 0 && items[i - 1]!.numbered ? [ids[i - 1]!] : [],
      ...(item.checklist.length > 0 ? { acceptance: { checklist: item.checklist } } : {}),
    })),
    notes: [],
  };
}
