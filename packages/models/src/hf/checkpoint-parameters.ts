import { basename } from 'node:path';
import { SpecError } from '@weft/ir';
import type { SafetensorsDType } from '../weights/safetensors-dtypes.js';
import type { Checkpoint } from './checkpoint-files.js';
import { type HuggingFaceArchitecture, huggingFaceMapping } from './hf-architectures.js';
import type { ParameterRecipe } from './recipe-parts.js';

/** What the checks need of a stored tensor: its dtype and shape. */
export interface StoredTensorInfo {
  /** The dtype in the file. */
  readonly dtype: SafetensorsDType;
  /** The shape in the file. */
  readonly shape: readonly number[];
  /** The file that holds it (named in the problems listed). */
  readonly file?: string;
}

/** The dtypes that load as float32. */
const FLOAT_DTYPES: readonly SafetensorsDType[] = ['F32', 'F16', 'BF16'];

/** Most problems one error lists (the rest are counted). */
const LISTED_PROBLEMS = 12;

/**
 * Checks a checkpoint's tensors against the recipes before any data is read: every tensor a
 * recipe needs is present with its shape and a float dtype, and every stored tensor is used (or
 * known to be ignorable). Problems are listed with the names used in the file, e.g.
 * `model.layers.1.mlp.up_proj.weight is missing`.
 *
 * @throws SpecError listing every problem found (the first twelve, and how many more).
 *
 * @example
 * ```ts
 * checkCheckpointTensors(new Map([['model.norm.weight', { dtype: 'F32', shape: [64] }]]), recipes, () => false);
 * ```
 */
export function checkCheckpointTensors(
  stored: ReadonlyMap<string, StoredTensorInfo>,
  recipes: readonly ParameterRecipe[],
  ignored: (name: string) => boolean,
): void {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const recipe of recipes) {
    for (const part of recipe.parts) {
      used.add(part.source);
      const tensor = stored.get(part.source);
      if (tensor === undefined) {
        problems.push(`${part.source} is missing`);
      } else if (!sameShape(tensor.shape, part.shape)) {
        problems.push(
          `${part.source} has shape [${tensor.shape.join(', ')}], expected [${part.shape.join(', ')}]${inFile(tensor)}`,
        );
      } else if (!FLOAT_DTYPES.includes(tensor.dtype)) {
        problems.push(`${part.source} is ${tensor.dtype}, expected F32, F16 or BF16${inFile(tensor)}`);
      }
    }
  }
  for (const [name, tensor] of stored) {
    if (!used.has(name) && !ignored(name))
      problems.push(`${name} is not a tensor of this model (unexpected)${inFile(tensor)}`);
  }
  if (problems.length === 0) return;
  const listed = problems.slice(0, LISTED_PROBLEMS);
  const more = problems.length - listed.length;
  throw new SpecError(
    `checkpoint does not fit the model (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    { tensor: firstTensorOf(problems[0]!), expected: 'the tensors config.json describes' },
  );
}

/** Options of {@link readCheckpointParameters}. */
export interface ReadCheckpointOptions {
  /** Called after each parameter is read, with how many are done of how many. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Reads the parameters of a mapped architecture's model from its checkpoint, one tensor at a
 * time: the tensor names come from the mapping of its `model_type` (see `HF_ARCHITECTURES`);
 * after the checks of {@link checkCheckpointTensors}, each parameter is read from its file,
 * widened to float32 and transposed or concatenated straight into its own array, so memory holds
 * the float32 parameters plus one tensor in flight, never a second copy of the checkpoint.
 *
 * @throws SpecError from the checks; InputError when a file cannot be read.
 *
 * @example
 * ```ts
 * const checkpoint = await openCheckpoint(dir);
 * const weights = await readCheckpointParameters(checkpoint, await readHuggingFaceConfig(dir));
 * await checkpoint.close();
 * ```
 */
export async function readCheckpointParameters(
  checkpoint: Checkpoint,
  architecture: Pick<HuggingFaceArchitecture, 'modelType' | 'spec'>,
  options: ReadCheckpointOptions = {},
): Promise<Record<string, Float32Array>> {
  const { spec } = architecture;
  const mapping = huggingFaceMapping(architecture.modelType);
  const recipes = mapping.recipes(spec, new Set(checkpoint.tensors.keys()));
  return readRecipeParameters(checkpoint, recipes, (name) => mapping.ignored(name, spec), options);
}

/**
 * Reads parameters from a checkpoint by their recipes, whatever the architecture: the checks of
 * {@link checkCheckpointTensors} on the headers first, then one tensor at a time as
 * {@link readCheckpointParameters} does.
 *
 * @param ignored Stored tensors the model does not read but may be present (buffers, task heads).
 * @throws SpecError from the checks; InputError when a file cannot be read.
 *
 * @example
 * ```ts
 * const weights = await readRecipeParameters(checkpoint, recipes, (name) => name.endsWith('.position_ids'));
 * ```
 */
export async function readRecipeParameters(
  checkpoint: Checkpoint,
  recipes: readonly ParameterRecipe[],
  ignored: (name: string) => boolean,
  options: ReadCheckpointOptions = {},
): Promise<Record<string, Float32Array>> {
  const stored = new Map(
    [...checkpoint.tensors].map(([name, { entry, file }]) => [
      name,
      { dtype: entry.dtype, shape: entry.shape, file: basename(file.path) },
    ]),
  );
  checkCheckpointTensors(stored, recipes, ignored);
  const parameters: Record<string, Float32Array> = {};
  for (const [index, recipe] of recipes.entries()) {
    parameters[recipe.name] = await assemble(checkpoint, recipe);
    options.onProgress?.(index + 1, recipes.length);
  }
  return parameters;
}

async function assemble(checkpoint: Checkpoint, recipe: ParameterRecipe): Promise<Float32Array> {
  const [only] = recipe.parts;
  if (recipe.parts.length === 1 && only !== undefined && !only.transpose)
    return withOffset(await checkpoint.readFloat32(only.source), only.offset);
  const columns = recipe.shape[recipe.shape.length - 1]!;
  const rows = recipe.shape.slice(0, -1).reduce((product, dim) => product * dim, 1);
  const result = new Float32Array(rows * columns);
  let firstColumn = 0;
  for (const part of recipe.parts) {
    const data = withOffset(await checkpoint.readFloat32(part.source), part.offset);
    // Transposed parts are `[width, rows]`; plain parts `[rows, width]`.
    const width = part.transpose ? part.shape[0]! : part.shape[part.shape.length - 1]!;
    if (part.transpose) transposeInto(result, columns, firstColumn, data, width, rows);
    else
      for (let row = 0; row < rows; row++)
        result.set(data.subarray(row * width, (row + 1) * width), row * columns + firstColumn);
    firstColumn += width;
  }
  return result;
}

/** Tile edge of the blocked transpose: both tiles stay in cache. */
const TILE = 32;

/**
 * Writes `source` `[width, rows]` transposed into columns `firstColumn ..< firstColumn + width`
 * of `target` `[rows, columns]`, tile by tile (a plain loop strides through memory on one side).
 */
function transposeInto(
  target: Float32Array,
  columns: number,
  firstColumn: number,
  source: Float32Array,
  width: number,
  rows: number,
): void {
  for (let column0 = 0; column0 < width; column0 += TILE) {
    const columnEnd = Math.min(column0 + TILE, width);
    for (let row0 = 0; row0 < rows; row0 += TILE) {
      const rowEnd = Math.min(row0 + TILE, rows);
      for (let column = column0; column < columnEnd; column++) {
        const from = column * rows;
        const to = firstColumn + column;
        for (let row = row0; row < rowEnd; row++) target[row * columns + to] = source[from + row]!;
      }
    }
  }
}

/** `data` with `offset` added in place (each sum rounded to float32, as a float32 add). */
function withOffset(data: Float32Array, offset = 0): Float32Array {
  if (offset !== 0) for (let i = 0; i < data.length; i++) data[i] = data[i]! + offset;
  return data;
}

function inFile(tensor: StoredTensorInfo): string {
  return tensor.file === undefined ? '' : `, in ${tensor.file}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === b[axis]);
}

function firstTensorOf(problem: string): string {
  return problem.split(' ')[0]!;
}
