// The scripted agent of test/bench/supervisor.mjs: a real process on the real pty of a `fleet orchestrator` pane
// of kind `aider`. It draws what Aider draws (a "Waiting for <model>" line while it works, then a `(Y)es/(N)o`
// question), and writes every moment that matters to a stamp file, one JSON line each, with
// process.hrtime.bigint() (CLOCK_MONOTONIC, the same clock in every process of the machine) and Date.now():
//   {"ev":"ready","pid":...}                    once, when it runs
//   {"ev":"prompt","round":N,"hr":"...","ms":...}  the moment the question's bytes were written to the pty
//   {"ev":"key","round":N,"hr":"...","ms":...,"key":"y"}  the moment the answer's first byte arrived
// It asks again on SIGUSR1 (the bench decides when a round starts, so rounds never overlap); SIGUSR2 asks the
// "unread" question whatever the mode.
//   node approvalAgent.cjs <stampFile> <command|edit|unread>
//     command: "  npm install left-pad@1.3.N" then "Run shell command? (Y)es/(N)o [Yes]:"
//     edit:    "Allow edits to src/round_N.py which was not previously added to chat? (Y)es/(N)o [Yes]:"
//     unread:  "Run shell command? (Y)es/(N)o [Yes]:" with the command scrolled out of the live rows
'use strict';
const fs = require('node:fs');

const [stampFile, mode = 'command'] = process.argv.slice(2);
const CLEAR = '\u001b[2J\u001b[H';
const HEADER = 'Aider v0.86.1 (FleetAI bench script)\r\nModel: gpt-5 with diff edit format\r\n\r\n';
const stamp = (fields) => fs.appendFileSync(stampFile, `${JSON.stringify(fields)}\n`);
// A tty write is synchronous: when write() returns, the bytes are in the pty.
const out = (s) => process.stdout.write(s);

let round = 0;
let asking = false;

function working(note) {
  out(`${CLEAR}${HEADER}${note}\r\nWaiting for gpt-5`);
}

function question(r, kind) {
  if (kind === 'edit')
    return `Allow edits to src/round_${r}.py which was not previously added to chat? (Y)es/(N)o [Yes]: `;
  if (kind === 'unread') return `(output of an earlier step)\r\n\r\nRun shell command? (Y)es/(N)o [Yes]: `;
  return `I will install the package.\r\n\r\n  npm install left-pad@1.3.${r}\r\nRun shell command? (Y)es/(N)o [Yes]: `;
}

function ask(kind) {
  if (asking) return;
  asking = true;
  const r = ++round;
  working(`round ${r}`);
  // A moment of "work" first, as a real turn has, so the question is a state change of its own.
  setTimeout(() => {
    const text = `${CLEAR}${HEADER}${question(r, kind)}`;
    const hr = process.hrtime.bigint();
    const ms = Date.now();
    out(text);
    stamp({ ev: 'prompt', round: r, hr: String(hr), ms });
  }, 40);
}

process.stdin.setRawMode(true);
process.stdin.on('data', (data) => {
  const hr = process.hrtime.bigint();
  const ms = Date.now();
  const text = data.toString('latin1');
  if (!asking) return;
  const key = /[yn]/i.exec(text)?.[0];
  if (!key) return;
  asking = false;
  stamp({ ev: 'key', round, hr: String(hr), ms, key });
  working(key.toLowerCase() === 'y' ? `answered yes to round ${round}` : `answered no to round ${round}`);
});
process.on('SIGUSR1', () => ask(mode));
process.on('SIGUSR2', () => ask('unread'));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGHUP', () => process.exit(0));

working('ready');
stamp({ ev: 'ready', pid: process.pid });
// Keeps the process alive between rounds.
setInterval(() => undefined, 60_000);
