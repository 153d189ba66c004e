// Run by crashResume.test.ts in a child process (bundled with esbuild): a 10-node linear LangGraph graph
// checkpointed by JsonFileSaver in CHECKPOINT_ROOT. Every node appends `<node>` to EFFECTS_FILE when it finishes
// its work; with HANG_AT set, that node appends `<node>:started` and then waits forever (to be killed).
// RESUME=1 continues the thread from its last checkpoint instead of starting it.
import { appendFileSync } from 'node:fs';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { JsonFileSaver } from '../../../../extension/core/plans/checkpoint/jsonFileSaver';

const NODES = 10;
const { CHECKPOINT_ROOT = '', EFFECTS_FILE = '', HANG_AT, RESUME } = process.env;

interface State {
  done: number;
}
/** StateGraph's types track node names added one by one; a loop adds them by name at run time. */
interface LinearBuilder {
  addNode(name: string, run: (state: State) => Promise<State>): void;
  addEdge(from: string, to: string): void;
  compile(options: { checkpointer: JsonFileSaver }): {
    invoke(input: State | null, config: object): Promise<State>;
  };
}

const builder = new StateGraph(Annotation.Root({ done: Annotation<number>() })) as unknown as LinearBuilder;
for (let i = 0; i < NODES; i++) {
  builder.addNode(`node${i}`, async (state) => {
    if (HANG_AT === `node${i}`) {
      appendFileSync(EFFECTS_FILE, `node${i}:started\n`);
      // A pending promise alone does not keep Node running (it would exit with "unsettled top-level await"
      // before the test kills it): a timer does.
      setInterval(() => undefined, 60_000);
      await new Promise(() => undefined);
    }
    appendFileSync(EFFECTS_FILE, `node${i}\n`);
    return { done: state.done + 1 };
  });
  builder.addEdge(i === 0 ? START : `node${i - 1}`, `node${i}`);
}
builder.addEdge(`node${NODES - 1}`, END);
const app = builder.compile({ checkpointer: new JsonFileSaver({ root: CHECKPOINT_ROOT }) });

// durability "sync": a step's checkpoint is on disk before the next step starts.
const config = { configurable: { thread_id: 'crash-run' }, durability: 'sync' };
const result = await app.invoke(RESUME ? null : { done: 0 }, config);
process.stdout.write(JSON.stringify(result));
