import { clip, duration } from './bottlenecks';
import { day, relativeRange } from './review';
import type { Review } from './types';

/**
 * The review as a person reads it: Markdown (`fleet review --markdown`, docs, chat) and plain text (the terminal).
 * Headings follow the reader's language (English or Simplified Chinese); the advice itself is English.
 */

export type ReviewLang = 'en' | 'zh-cn';

const HEADINGS = {
  en: {
    title: 'Project review',
    progress: 'Progress',
    since: 'Since the last review',
    bottlenecks: 'Bottlenecks',
    forecast: 'Forecast',
    next: 'Next steps',
    problems: 'Not read',
    task: 'Task',
    phase: 'Phase',
    pane: 'Pane',
    branch: 'Branch',
    commits: 'Commits ahead',
    diff: 'Diff',
    expected: 'Expected',
    range: 'Range',
    plans: 'Plan runs',
    none: 'None: nothing is stuck.',
    first: 'This is the first review: the next one will say what changed.',
    nothingChanged: 'Nothing changed.',
    source: 'Recommendations',
  },
  'zh-cn': {
    title: '项目评审',
    progress: '进度',
    since: '自上次评审以来',
    bottlenecks: '瓶颈',
    forecast: '完成预测',
    next: '下一步',
    problems: '未能读取',
    task: '任务',
    phase: '阶段',
    pane: '窗格',
    branch: '分支',
    commits: '领先提交',
    diff: '改动',
    expected: '预计',
    range: '范围',
    plans: '计划运行',
    none: '无：没有卡住的工作。',
    first: '这是第一次评审：下一次会列出变化。',
    nothingChanged: '没有变化。',
    source: '建议来源',
  },
} as const;

/** `zh-cn` when FLEETAI_LANG, FLEETAI_LOCALE or the locale variables say Chinese. */
export function reviewLangFromEnv(env: NodeJS.ProcessEnv = process.env): ReviewLang {
  const raw = env.FLEETAI_LANG ?? env.FLEETAI_LOCALE ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return /^zh/i.test(raw) ? 'zh-cn' : 'en';
}

/** A code span that survives backquotes inside (a `fleet send` text quoting a command). */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(review: Review, lang: ReviewLang = 'en'): string {
  const h = HEADINGS[lang];
  const { facts, progress, forecast } = review;
  const out: string[] = [];
  out.push(`# ${h.title}: ${facts.generatedAt.slice(0, 16).replace('T', ' ')} UTC`, '');
  out.push(`**${review.headline}**`, '');

  out.push(`## ${h.progress}`, '');
  const p = progress.tasks;
  out.push(
    `${p.done}/${p.total} tasks done (${p.percent}%): ` +
      Object.entries(p.byPhase)
        .filter(([, n]) => n > 0)
        .map(([phase, n]) => `${n} ${phase}`)
        .join(', ') +
      '.',
    '',
  );
  if (facts.tasks.length > 0) {
    const byTask = new Map(forecast.tasks.map((t) => [t.task, t]));
    out.push(
      `| ${h.task} | ${h.phase} | ${h.pane} | ${h.branch} | ${h.commits} | ${h.diff} | ${h.expected} |`,
    );
    out.push('|---|---|---|---|---|---|---|');
    for (const task of facts.tasks) {
      const branch = facts.git.branches.find((b) => b.branch === task.branch);
      const pane = facts.panes.find((pn) => pn.pane === task.pane);
      const waiting = task.waitingOn.length ? ` (waits for ${task.waitingOn.join(', ')})` : '';
      const when = byTask.get(task.id)?.range;
      const approval =
        task.phase === 'DONE' ? undefined : facts.approvals.pending.find((a) => a.pane === task.pane);
      out.push(
        `| ${cell(`${task.id}: ${clip(task.title, 50)}`)} | ${task.phase}${cell(waiting)} | ` +
          `${task.pane ? cell(`${task.pane}${pane?.state ? ` (${pane.state})` : ''}`) : '-'} | ` +
          `${task.branch ? cell(task.branch) : '-'} | ${branch ? branch.ahead : '-'} | ` +
          `${branch ? `+${branch.insertions}/-${branch.deletions}` : '-'} | ` +
          `${task.phase === 'DONE' ? (task.doneAt ? `done ${day(task.doneAt)}` : 'done') : when ? day(when.expected) : '-'}` +
          // The pace says nothing about a person's answer: the date holds once the approval is answered.
          `${approval ? ` (once ${approval.id} is answered)` : ''} |`,
      );
    }
    out.push('');
  }
  const plans = progress.plans;
  if (plans.total > 0) {
    out.push(
      `${h.plans}: ${plans.total} plan(s), ${plans.done} done, ${plans.running} running, ` +
        `${plans.waiting} waiting for an approval, ${plans.failed} failed.`,
      '',
    );
  }
  const approvals = facts.approvals;
  if (approvals.pending.length > 0 || approvals.answeredCount > 0) {
    const longest = approvals.pending[0];
    out.push(
      `Approvals: ${approvals.pending.length} pending` +
        `${longest ? ` (longest ${duration(longest.waitSeconds)})` : ''}, ${approvals.answeredCount} answered` +
        `${approvals.medianLatencySeconds !== undefined ? ` (a person answers in ${duration(approvals.medianLatencySeconds)} at the median)` : ''}.`,
      '',
    );
  }
  if (facts.tests.length > 0) {
    for (const test of facts.tests) {
      out.push(
        `- \`${test.command}\`${test.task ? ` (task ${test.task})` : ''}: **${test.result}**${test.seconds !== undefined ? ` in ${test.seconds} s` : ''}`,
      );
    }
    out.push('');
  }

  out.push(`## ${h.since}`, '');
  const s = review.sinceLast;
  if (!s.previousAt) out.push(h.first, '');
  else {
    const lines: string[] = [];
    if (s.newlyDone.length) lines.push(`- Done since then: ${s.newlyDone.join(', ')}`);
    for (const c of s.phaseChanges.filter((c) => c.to !== 'DONE'))
      lines.push(`- ${c.task}: ${c.from} → ${c.to}`);
    for (const c of s.newCommits)
      lines.push(`- ${c.branch}: ${c.commits} new commit${c.commits === 1 ? '' : 's'}`);
    if (s.approvalsAnswered) lines.push(`- ${s.approvalsAnswered} approval(s) answered`);
    if (s.resolvedBottlenecks.length) lines.push(`- Resolved: ${s.resolvedBottlenecks.join(', ')}`);
    if (s.newBottlenecks.length) lines.push(`- New problems: ${s.newBottlenecks.join(', ')}`);
    out.push(
      `Previous review: ${day(s.previousAt)}.`,
      '',
      ...(lines.length ? lines : [h.nothingChanged]),
      '',
    );
  }

  out.push(`## ${h.bottlenecks}`, '');
  if (review.bottlenecks.length === 0) out.push(h.none, '');
  else {
    review.bottlenecks.slice(0, 10).forEach((b, i) => out.push(`${i + 1}. ${capital(b.summary)}`));
    if (review.bottlenecks.length > 10)
      out.push(`   … and ${review.bottlenecks.length - 10} more (see --json).`);
    out.push('');
  }

  out.push(`## ${h.forecast}`, '');
  if (forecast.overall && forecast.intervalSeconds) {
    out.push(
      `${forecast.remaining === 1 ? 'The last task' : `All ${forecast.remaining} remaining tasks`}: ` +
        `**${relativeRange(forecast.overall, facts.generatedAt)}**` +
        (day(forecast.overall.earliest) === day(forecast.overall.latest)
          ? '.'
          : ` (between ${day(forecast.overall.earliest)} and ${day(forecast.overall.latest)}).`),
      '',
      `Pace: ${pace(forecast.tasksPerDay)}; a task finishes every ${duration(forecast.intervalSeconds.median)} ` +
        `(median; fastest ${duration(forecast.intervalSeconds.min)}, slowest ${duration(forecast.intervalSeconds.max)}).`,
      '',
      ...laneTable(review),
      forecast.note,
      '',
    );
  } else out.push(forecast.note, '');

  out.push(`## ${h.next}`, '');
  if (review.recommendations.length === 0) out.push('Nothing to do but let the agents work.', '');
  for (const r of review.recommendations) {
    out.push(`${r.rank}. **${r.title}**  `, `   ${r.reason}  `, `   ${code(r.command)}`, '');
  }
  out.push(
    `_${h.source}: ${review.source.kind === 'model' ? `model ${review.source.model}` : 'rules'}` +
      `${review.source.note ? `. ${review.source.note}` : ''}. Run the commands from the workspace folder._`,
    '',
  );
  if (facts.problems.length) {
    out.push(`## ${h.problems}`, '', ...facts.problems.map((p) => `- ${p}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The terminal version: the same order, no tables. */
export function renderText(review: Review, lang: ReviewLang = 'en'): string {
  const h = HEADINGS[lang];
  const out: string[] = [review.headline, ''];
  out.push(`${h.progress}:`);
  for (const task of review.facts.tasks) {
    out.push(
      `  ${task.id.padEnd(16)} ${task.phase.padEnd(10)} ${task.pane ?? '-'}${task.waitingOn.length ? `  waits for ${task.waitingOn.join(', ')}` : ''}`,
    );
  }
  out.push('', `${h.bottlenecks}:`);
  if (review.bottlenecks.length === 0) out.push(`  ${h.none}`);
  for (const b of review.bottlenecks.slice(0, 10)) out.push(`  - ${b.summary}`);
  out.push('', `${h.forecast}: ${review.forecast.note}`);
  if (review.forecast.overall) {
    const o = review.forecast.overall;
    out.push(`  ${h.expected} ${day(o.expected)} (${h.range} ${day(o.earliest)} - ${day(o.latest)})`);
  }
  out.push('', `${h.next}:`);
  for (const r of review.recommendations)
    out.push(`  ${r.rank}. ${r.title}`, `     ${r.reason}`, `     $ ${r.command}`);
  if (review.source.note) out.push('', review.source.note);
  if (review.facts.problems.length)
    out.push('', `${h.problems}:`, ...review.facts.problems.map((p) => `  - ${p}`));
  return `${out.join('\n')}\n`;
}

/** "0.67 tasks/day", or per hour when a day would be a silly number (a scripted demo). */
function pace(perDay: number | undefined): string {
  if (perDay === undefined) return 'not measurable';
  return perDay >= 48 ? `${Math.round((perDay / 24) * 10) / 10} tasks/hour` : `${perDay} tasks/day`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Who finishes what when (the per-lane model): each lane's pace and where it came from, so a reader sees which
 * estimate rests on that lane's own history and which on the fleet's.
 */
function laneTable(review: Review): string[] {
  const { forecast, facts } = review;
  if (forecast.basis !== 'lanes' || !forecast.lanes?.length) return [];
  const rows = forecast.lanes.map((lane) => {
    const per = lane.secondsPerTask;
    const pace =
      per.min === per.max
        ? duration(per.median)
        : `${duration(per.median)} (${duration(per.min)}–${duration(per.max)})`;
    const from = lane.paceFrom === 'lane' ? `its own (${lane.measured} measured)` : 'the fleet (widened)';
    return `| ${cell(lane.lane)} | ${lane.tasks.length} | ${pace} | ${from} | ${cell(relativeRange(lane.finish, facts.generatedAt))} |`;
  });
  return ['| Lane | Remaining | Per task | Pace from | Done |', '|---|---|---|---|---|', ...rows, ''];
}
