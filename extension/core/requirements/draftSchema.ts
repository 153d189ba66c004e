import { z } from 'zod';
import { orchestratorConfigSchema } from '../config/orchestratorConfig';

/**
 * A task draft (`.fleetai/drafts/<doc>.tasks.json`): what a requirements document was decomposed into, for the
 * user to edit before `applyDraft` merges it into orchestrator.json. Its tasks are the config's own task schema,
 * so whatever the draft validates is exactly what the config will hold.
 */

/** The orchestrator config's task schema (id, title, depends_on, acceptance, branch, owner, tags...). */
export const draftTaskSchema = orchestratorConfigSchema.shape.tasks.unwrap().element;
export type DraftTask = z.output<typeof draftTaskSchema>;
export type DraftTaskInput = z.input<typeof draftTaskSchema>;

export const DRAFT_SCHEMA_FILE = 'tasks-draft.schema.json';
export const DRAFTS_DIR = 'drafts';

export const draftSourceSchema = z
  .strictObject({
    doc: z.string().min(1).describe('The requirements document, relative to the workspace.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
      .describe('SHA-256 of the document when it was decomposed (tells a stale draft).'),
    decomposed_by: z.enum(['rules', 'model']).describe('Markdown rules, or the configured model.'),
    model: z.string().min(1).optional().describe("The model's name when the model decomposed it."),
    created_at: z.string().min(1).describe('ISO time the draft was written.'),
  })
  .describe('Where the draft came from.');

export const taskDraftSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
    source: draftSourceSchema,
    notes: z
      .array(z.string())
      .default([])
      .describe('What the decomposition could not settle (unresolved references...); ignored when applied.'),
    tasks: z
      .array(draftTaskSchema)
      .min(1)
      .describe('Tasks merged into orchestrator.json by `fleet tasks:apply`.'),
  })
  .describe(
    'FleetAI task draft: edit the tasks, then apply them (fleet tasks:apply, or FleetAI: Apply Task Draft).',
  );

export type TaskDraft = z.output<typeof taskDraftSchema>;
export type DraftSource = z.output<typeof draftSourceSchema>;

/** The JSON Schema the draft's `$schema` points at (draft 7, as VS Code's JSON service). */
export function taskDraftJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(taskDraftSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
  });
  return { $schema, title: 'FleetAI task draft', ...rest };
}
