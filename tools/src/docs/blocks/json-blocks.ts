// Checks a page's `json` blocks: each parses; a spec is validated against its published JSON Schema
// (`packages/models/schema/`) and read by the parser Weft itself uses, a zoo document names an entry.
import { readFileSync } from 'node:fs';
import { attentionFromJSON, parseSpecDocument } from '@weft/models';
import { findZooEntry } from '@weft/zoo';
import { Ajv } from 'ajv';
import type { CodeBlock } from './code-blocks.js';
import type { BlockProblem } from './typescript-programs.js';

/** What a JSON block was checked as. */
export type JsonBlockKind = 'model spec' | 'attention spec' | 'zoo document' | 'plain JSON' | 'fragment';

const schemaDirectory = new URL('../../../../packages/models/schema/', import.meta.url);

function loadSchema(name: string): object {
  return JSON.parse(readFileSync(new URL(name, schemaDirectory), 'utf8')) as object;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateModel = ajv.compile(loadSchema('model.schema.json'));
const validateAttention = ajv.compile(loadSchema('attention.schema.json'));

/** The kind of a parsed JSON block, by its shape (as the playground tells its documents apart). */
export function jsonBlockKind(value: unknown): JsonBlockKind {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'plain JSON';
  if ('schemaVersion' in value) return 'model spec';
  if ('zoo' in value) return 'zoo document';
  if ('heads' in value && 'headDim' in value) return 'attention spec';
  return 'plain JSON';
}

/** Checks one `json` block; returns its kind and its problems. */
export function checkJsonBlock(block: CodeBlock): { kind: JsonBlockKind; problems: BlockProblem[] } {
  if (block.flags.has('fragment')) return { kind: 'fragment', problems: [] };
  const problem = (message: string): BlockProblem => ({ file: block.file, line: block.line, message });
  let value: unknown;
  try {
    value = JSON.parse(block.body);
  } catch (error) {
    return { kind: 'plain JSON', problems: [problem(`not JSON: ${(error as Error).message}`)] };
  }
  const kind = jsonBlockKind(value);
  const problems: BlockProblem[] = [];
  const validate =
    kind === 'model spec' ? validateModel : kind === 'attention spec' ? validateAttention : undefined;
  if (validate !== undefined && !validate(value)) {
    const errors = (validate.errors ?? []).map(
      (error) => `${error.instancePath || '/'} ${error.message ?? ''}`,
    );
    problems.push(problem(`${kind} does not match its JSON Schema: ${errors.slice(0, 5).join('; ')}`));
  }
  try {
    if (kind === 'model spec') parseSpecDocument(value);
    if (kind === 'attention spec') attentionFromJSON(value);
    if (kind === 'zoo document' && findZooEntry(String((value as { zoo: unknown }).zoo)) === undefined) {
      problems.push(problem(`names no zoo entry: ${JSON.stringify(value)}`));
    }
  } catch (error) {
    problems.push(problem(`${kind} is refused by Weft: ${(error as Error).message}`));
  }
  return { kind, problems };
}
