import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import type { CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { JsonFileSaver } from '../../extension/core/plans/checkpoint/jsonFileSaver';

/**
 * Each checkpointer the suite asks for gets a fresh folder (the suite requires instances not to see each other's
 * state), removed again when the suite destroys it.
 *
 * The saver runs as FleetAI ships it, pruning on (20 kept per thread and namespace): no test of the suite puts more
 * than 20 checkpoints in one namespace, so none conflicts with it. Pruning itself is tested in
 * test/unit/plans/checkpoint/. Any problem the saver reports (a damaged file) fails the test.
 */
const folders = new Map<JsonFileSaver, string>();

const initializer: CheckpointSaverTestInitializer<JsonFileSaver> = {
  checkpointerName: 'FleetAI JsonFileSaver',
  createCheckpointer() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fleetai-checkpoint-suite-'));
    const saver = new JsonFileSaver({
      root,
      onProblem: (problem) => {
        throw new Error(`unexpected checkpoint problem: ${JSON.stringify(problem)}`);
      },
    });
    folders.set(saver, root);
    return saver;
  },
  async destroyCheckpointer(saver) {
    await saver.flush();
    const root = folders.get(saver);
    if (root) rmSync(root, { recursive: true, force: true });
    folders.delete(saver);
  },
};

validate(initializer);
// Opt-in in the package (not part of validate()): the ancestor walk behind LangGraph's DeltaChannel.
deltaChannelHistoryTests(initializer);
