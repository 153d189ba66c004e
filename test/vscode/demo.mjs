// `npm run demo`: FleetAI supervising a small fleet in the real VS Code (code-server) on 127.0.0.1, with no API
// key and no external server. demoSetup.mjs starts it (the fake model, Codex's home, a fresh copy of
// test/fixtures/demo-workspace outside the clone with its .fleetai/orchestrator.json, the freshly packaged FleetAI
// in code-server); this script prints the address and what to look at. The window starts the supervisor and the
// panes by itself. Runs until Ctrl-C, then ends every process it started (Codex's background daemon included).
// test/e2e/demo.e2e.test.ts runs the same setup in chromium and checks what this text promises.
//   FLEETAI_DEMO_PORT=8080       port to listen on (default: 8080, or a free one if taken)
//   FLEETAI_DEMO_WORKSPACE=DIR   where the workspace copy and Codex's home go (default: ~/.cache/fleetai-demo)
//   --check                      start everything, check that it answers (the page, the fake model, Codex, the
//                                workspace config), then stop (for scripts)
import { checkDemo, startDemo } from './demoSetup.mjs';

const check = process.argv.includes('--check');

let demo;
try {
  demo = await startDemo({
    ...(process.env.FLEETAI_DEMO_WORKSPACE ? { home: process.env.FLEETAI_DEMO_WORKSPACE } : {}),
    port: Number(process.env.FLEETAI_DEMO_PORT ?? 8080),
  });
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

if (check) {
  try {
    for (const [what, result] of await checkDemo(demo)) console.log(`demo --check: ${what}: ${result}`);
  } catch (error) {
    console.error(`demo: --check: ${error instanceof Error ? error.message : String(error)}`);
    await demo.stop();
    process.exit(1);
  }
}

console.log(`
FleetAI demo is running.

  Open:       ${demo.url}
  Workspace:  ${demo.workspace}  (a fresh copy of test/fixtures/demo-workspace)
  Config:     ${demo.configFile}
  FleetAI:    ${demo.vsix} (installed)
  Model:      fake model server on ${demo.model.url} (log: ${demo.modelLog}); no API key is used
  FleetAI log: ${demo.appLog}
  VS Code log: ${demo.server.logFile}

When the page opens, FleetAI starts its supervisor and three agents, each in a terminal of its own:

  codex     The real Codex CLI asks to run "touch approved.txt". No rule allows it, so it waits for you:
            a notification with Approve / Deny / Show, the FleetAI icon in the activity bar -> Approvals,
            and F1 "FleetAI: Show Approvals" (add a note, then Approve). Codex then creates approved.txt.
  refactor  A scripted agent that gets stuck after two steps. After ${demo.stallTimeoutSeconds} s without progress FleetAI
            nudges it (Ctrl-C, then "continue") and it finishes: watch its terminal and the Agents view.
  docs      A scripted agent whose task waits for refactor's task, then runs.

Watch the status bar (FleetAI: ... working · ... approval) and F1 "FleetAI: Show Dashboard": the panes, the
tasks with their owners and dependency, the events. Press Ctrl-C here to stop.
`);

if (check) {
  await demo.stop();
  process.exit(0);
}
const stop = () => void demo.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
