// Realistic agent output for test/bench/panes.mjs: the bytes a Codex TUI (codex-cli 0.169, ratatui) sends to
// its terminal, rebuilt from the screens recorded in test/fixtures/screens/codex/ and from how codex-rs draws:
//   - finished history lines are inserted above the bottom viewport through a scroll region (DECSTBM 1..top,
//     then "\r\n" + styled spans per pre-wrapped line), so they scroll into the terminal's scrollback;
//   - the bottom viewport (status, composer, footer) is redrawn as cell diffs: cursor moves + SGR + changed text;
//   - the "Working" header shimmers (one truecolor SGR per character, every frame), the title carries a braille
//     spinner (OSC 0), the cursor is hidden during a frame and parked in the composer after it;
//   - now and then a whole screen is redrawn from a recorded fixture (an approval prompt, a finished turn).
// Deterministic (seeded), so every run feeds the same bytes.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export const COLS = 120;
export const ROWS = 40;

const ESC = '\u001b';
const CSI = `${ESC}[`;
const RESET = `${CSI}0m`;
const BOLD = `${CSI}1m`;
const DIM = `${CSI}2m`;
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/** The recorded Codex screens: { name: { title, lines } } from test/fixtures/screens/codex/*.txt. */
export function loadCodexScreens(repoRoot) {
  const dir = path.join(repoRoot, 'test/fixtures/screens/codex');
  const screens = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const [head, ...rest] = text.split('\n---\n');
    screens[file.replace(/\.txt$/, '')] = {
      title: head.replace(/^title: ?/, ''),
      lines: rest.join('\n---\n').replace(/\n$/, '').split('\n'),
    };
  }
  return screens;
}

/** A small seeded PRNG (mulberry32). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fg = (r, g, b) => `${CSI}38;2;${r};${g};${b}m`;
const at = (row, col = 1) => `${CSI}${row};${col}H`;

/** How Codex styles a row of one of its screens (what the recording lost: colours and weights). */
function styleRow(line) {
  if (/^[›•■]/.test(line)) return `${BOLD}${line.slice(0, 1)}${RESET}${line.slice(1)}`;
  if (/^\s*\$ /.test(line)) return `${CSI}36m${line}${RESET}`;
  if (/^\s*›?\s*\d\. /.test(line)) return line.startsWith('›') ? `${CSI}1;36m${line}${RESET}` : line;
  if (/^\s*(gpt-|←|Press enter|Environment:|Reason:)/.test(line)) return `${DIM}${line}${RESET}`;
  if (/>_ OpenAI Codex/.test(line)) return line.replace('>_', `${DIM}>_${RESET}${BOLD}`) + RESET;
  return line;
}

/** A whole screen redrawn from a fixture: clear, then each non-empty row at its place, then the title. */
export function fixtureFrame(screen, rows = ROWS) {
  let out = `${CSI}?25l${at(1)}${CSI}2J`;
  screen.lines.slice(0, rows).forEach((line, i) => {
    if (line.trim() !== '') out += `${at(i + 1)}${styleRow(line)}${CSI}K`;
  });
  return `${out}${ESC}]0;${screen.title}\u0007${CSI}?25h`;
}

const WORDS = (
  'the a of to in and is that for it with as on this be are by file test function return value error config ' +
  'module import export const let async await promise pane state screen buffer parser render update fix build ' +
  'rust cargo crate npm node typescript handler request response stream chunk line cursor terminal scroll ' +
  'approval command session model token retry timeout cache index path workspace branch commit diff patch'
).split(' ');
const COMMANDS = [
  'cargo test -p codex-core',
  'npm run lint',
  'rg -n "StateTracker" extension',
  'git status --short',
  'sed -n 1,80p src/lib.rs',
  'pytest -q tests/test_api.py',
  'ls -la extension/core/panes',
];
const CODE = [
  'const snapshot = screen.snapshot();',
  'if (rule.re.test(line)) matched.push(line);',
  'fn handle_event(&mut self, event: AppEvent) -> Result<()> {',
  '    let area = frame.area();',
  'return { lines, cursorRow: buffer.cursorY, title };',
  'for (const listener of this.listeners) listener(event);',
  '    self.history.push(HistoryCell::new(lines));',
  "import { Terminal } from '@xterm/headless';",
];

/**
 * Generates the stream frame by frame. `tick()` returns one frame (a few history lines and a viewport redraw),
 * as Codex writes it between two reads of its event loop.
 */
export class CodexStream {
  constructor({ seed = 1, cols = COLS, rows = ROWS, screens }) {
    this.rand = prng(seed);
    this.cols = cols;
    this.rows = rows;
    this.screens = screens;
    this.historyBottom = rows - 8; // rows 1..historyBottom scroll; the viewport is below
    this.frame = 0;
    this.seconds = 1;
  }

  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
  }

  words(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const w = this.pick(WORDS);
      const r = this.rand();
      out.push(r < 0.06 ? `${BOLD}${w}${RESET}` : r < 0.12 ? `${CSI}36m\`${w}\`${CSI}39m` : w);
    }
    return out.join(' ');
  }

  /** One finished history line, pre-wrapped to the width like Codex does. */
  historyLine() {
    const r = this.rand();
    if (r < 0.45)
      return `${this.rand() < 0.3 ? `${BOLD}•${RESET} ` : '  '}${this.words(4 + Math.floor(this.rand() * 14))}`;
    if (r < 0.55) return '';
    if (r < 0.62) return `${BOLD}•${RESET} ${BOLD}Ran${RESET} ${CSI}36m${this.pick(COMMANDS)}${RESET}`;
    if (r < 0.72) return `${DIM}  └ ${this.words(3 + Math.floor(this.rand() * 8))}${RESET}`;
    const n = 1 + Math.floor(this.rand() * 400);
    const code = this.pick(CODE);
    const kind = this.rand();
    if (kind < 0.35)
      return `${fg(110, 110, 110)}${String(n).padStart(5)} ${RESET}${CSI}48;5;22m${CSI}32m+${code}${RESET}`;
    if (kind < 0.6)
      return `${fg(110, 110, 110)}${String(n).padStart(5)} ${RESET}${CSI}48;5;52m${CSI}31m-${code}${RESET}`;
    // syntax-highlighted context line: one truecolor span per token
    return `${fg(110, 110, 110)}${String(n).padStart(5)} ${RESET} ${code
      .split(/(\s+)/)
      .map((t) =>
        t.trim() ? `${fg(100 + ((t.length * 37) % 150), 150, 200 - ((t.length * 23) % 120))}${t}` : t,
      )
      .join('')}${RESET}`;
  }

  /** The status row: a shimmering "Working" (truecolor per character), the elapsed time and the hint. */
  status() {
    const phase = this.frame % 24;
    const shimmer = [...'Working']
      .map((ch, i) => {
        const v = 120 + Math.round(100 * Math.max(0, 1 - Math.abs(i - phase / 3) / 3));
        return `${fg(v, v, v)}${BOLD}${ch}`;
      })
      .join('');
    return `${BOLD}•${RESET} ${shimmer}${RESET} ${DIM}(${this.seconds}s • esc to interrupt)${RESET}${CSI}K`;
  }

  /** The normal screen after a full redraw: header, composer, footer, and the status row. */
  layout() {
    const s = this.screens.slow.lines;
    let out = `${CSI}?25l${at(1)}${CSI}2J`;
    for (let i = 0; i < 5; i++) if (s[i]?.trim()) out += `${at(i + 1)}${styleRow(s[i])}`;
    out += `${at(this.rows - 6)}${this.status()}`;
    out += `${at(this.rows - 3)}${BOLD}›${RESET} ${DIM}Ask Codex to do anything${RESET}${CSI}K`;
    out += `${at(this.rows - 1)}${styleRow(s.at(-2) ?? '')}${CSI}K${at(this.rows)}${DIM}${s.at(-1) ?? ''}${RESET}${CSI}K`;
    return `${out}${at(this.rows - 3, 3)}${CSI}?25h`;
  }

  /** One frame of a working turn. */
  tick() {
    this.frame++;
    if (this.frame % 25 === 0) this.seconds++;
    let out = `${CSI}?25l`;
    const inserted = Math.floor(this.rand() * 4); // 0..3 finished lines per frame
    if (inserted > 0) {
      out += `${CSI}1;${this.historyBottom}r${at(this.historyBottom)}`;
      for (let i = 0; i < inserted; i++) out += `\r\n${this.historyLine()}`;
      out += `${CSI}r`;
    }
    // ratatui sends only the cells that changed: usually the shimmer and the timer, sometimes the whole row.
    out +=
      this.frame % 10 === 0
        ? `${at(this.rows - 6)}${this.status()}`
        : `${at(this.rows - 6, 3)}${this.status().slice(`${BOLD}•${RESET} `.length)}`;
    out += `${ESC}]0;${SPINNER[this.frame % SPINNER.length]} Fake session | fleet-ws\u0007`;
    return `${out}${at(this.rows - 3, 3)}${CSI}?25h`;
  }

  /** Now and then a whole recorded screen (an approval prompt, a finished turn), then back to work. */
  occasional() {
    const name = this.pick(['approval', 'slow-done', 'slow-streaming', 'approval', 'plain']);
    const screen = this.screens[name] ?? this.screens.slow;
    return fixtureFrame(screen, this.rows) + this.layout();
  }
}

/** At least `minBytes` (UTF-8) of a working Codex session, as one string. */
export function codexSession(screens, minBytes, seed = 7) {
  const gen = new CodexStream({ seed, screens });
  const parts = [gen.layout()];
  let bytes = 0;
  for (let i = 1; bytes < minBytes; i++) {
    const part = i % 400 === 0 ? gen.occasional() : gen.tick();
    parts.push(part);
    bytes += Buffer.byteLength(part);
  }
  return parts.join('');
}
