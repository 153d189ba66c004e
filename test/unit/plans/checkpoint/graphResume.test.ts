import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Annotation, Command, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { JsonFileSaver } from '../../../../extension/core/plans/checkpoint/jsonFileSaver';
import { useTempDirs } from '../../helpers';

const tempDir = useTempDirs();

/**
 * A real LangGraph graph (no mocks): prepare -> approve (interrupt) -> finish, checkpointed by the JSON saver. The
 * run stops at the approval; a NEW saver on the same folder (what a restarted FleetAI has) resumes it.
 */
function buildGraph(saver: JsonFileSaver, sideEffects: string[]) {
  const State = Annotation.Root({
    log: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
    decision: Annotation<string>(),
  });
  return new StateGraph(State)
    .addNode('prepare', () => {
      sideEffects.push('prepare');
      return { log: ['prepared'] };
    })
    .addNode('approve', () => {
      // LangGraph runs an interrupted node again from its start on resume, so this count is expected to be 2.
      sideEffects.push('approve:asked');
      const answer = interrupt<{ question: string }, string>({ question: 'ship it?' });
      return { decision: answer, log: [`approved:${answer}`] };
    })
    .addNode('finish', (state) => {
      sideEffects.push('finish');
      return { log: [`finished after ${state.decision}`] };
    })
    .addEdge(START, 'prepare')
    .addEdge('prepare', 'approve')
    .addEdge('approve', 'finish')
    .addEdge('finish', END)
    .compile({ checkpointer: saver });
}

describe('a LangGraph StateGraph checkpointed by JsonFileSaver', () => {
  it('stops at an interrupt, and a new saver on the same folder resumes it without re-running finished nodes', async () => {
    const root = tempDir();
    const config = { configurable: { thread_id: 'plan-run-1' } };

    const firstEffects: string[] = [];
    const first = buildGraph(new JsonFileSaver({ root }), firstEffects);
    await first.invoke({ log: ['start'] }, config);
    expect(firstEffects).toEqual(['prepare', 'approve:asked']);
    const waiting = await first.getState(config);
    expect(waiting.next).toEqual(['approve']);
    expect(waiting.tasks[0]?.interrupts[0]?.value).toEqual({ question: 'ship it?' });

    // What is on disk is all the second process gets.
    const files = readdirSync(path.join(root, 'plan-run-1', 'root'));
    expect(files.some((f) => f.endsWith('.checkpoint.json'))).toBe(true);
    expect(files.some((f) => f.endsWith('.writes.json'))).toBe(true);

    const secondEffects: string[] = [];
    const second = buildGraph(new JsonFileSaver({ root }), secondEffects);
    const done = await second.invoke(new Command({ resume: 'yes' }), config);
    expect(secondEffects).toEqual(['approve:asked', 'finish']);
    expect(done.log).toEqual(['start', 'prepared', 'approved:yes', 'finished after yes']);
    expect(done.decision).toBe('yes');
    const finalState = await second.getState(config);
    expect(finalState.next).toEqual([]);

    // The history reads back through list(): input, then one checkpoint per step.
    const history = [];
    for await (const snapshot of second.getStateHistory(config)) history.push(snapshot);
    expect(history.map((s) => s.metadata?.step)).toEqual([3, 2, 1, 0, -1]);
  });
});
