import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError, SpecError } from '@weft/ir';
import type { SafetensorsEntry } from '../weights/safetensors-header.js';
import { openSafetensorsFile, type SafetensorsFile } from './safetensors-file.js';

/** The single-file checkpoint name Hugging Face writes. */
export const SINGLE_CHECKPOINT_FILE = 'model.safetensors';

/** The index of a sharded checkpoint (`weight_map`: tensor name → shard file). */
export const SHARDED_CHECKPOINT_INDEX = 'model.safetensors.index.json';

/** One tensor of a checkpoint: the file that holds it and its header entry. */
export interface CheckpointTensor {
  /** The shard (or single file) it is stored in. */
  readonly file: SafetensorsFile;
  /** Its dtype, shape and byte range. */
  readonly entry: SafetensorsEntry;
}

/**
 * The safetensors files of a checkpoint directory, opened lazily: headers are read and checked,
 * tensor data stays in the files until {@link Checkpoint.readFloat32}.
 */
export interface Checkpoint {
  /** The files opened (one, or the shards of the index). */
  readonly files: readonly SafetensorsFile[];
  /** Every tensor by its name in the checkpoint. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  /** Reads one tensor as float32 (see `SafetensorsFile.readFloat32`). */
  readFloat32(name: string): Promise<Float32Array>;
  /** Closes every file. */
  close(): Promise<void>;
}

/**
 * Opens the weights of a Hugging Face checkpoint directory: `model.safetensors`, or the shards
 * listed by `model.safetensors.index.json` (each shard named in the index must exist and hold the
 * tensors the index assigns to it).
 *
 * @throws InputError when neither file exists or a shard cannot be read; SpecError when the index
 * is malformed, names a shard outside the directory, or disagrees with a shard's header.
 *
 * @example
 * ```ts
 * const checkpoint = await openCheckpoint('./SmolLM-135M');
 * console.log(checkpoint.tensors.size);
 * await checkpoint.close();
 * ```
 */
export async function openCheckpoint(dir: string): Promise<Checkpoint> {
  const indexText = await readOptionalText(join(dir, SHARDED_CHECKPOINT_INDEX));
  const shardOf = indexText === undefined ? undefined : parseWeightMap(indexText, dir);
  const fileNames = shardOf === undefined ? [SINGLE_CHECKPOINT_FILE] : [...new Set(shardOf.values())].sort();
  if (shardOf === undefined && !(await exists(join(dir, SINGLE_CHECKPOINT_FILE)))) {
    throw new InputError(
      `"${dir}" holds no weights: neither ${SINGLE_CHECKPOINT_FILE} nor ${SHARDED_CHECKPOINT_INDEX}`,
      {
        expected: `${SINGLE_CHECKPOINT_FILE} or ${SHARDED_CHECKPOINT_INDEX} (PyTorch .bin checkpoints are not read)`,
      },
    );
  }
  const files: SafetensorsFile[] = [];
  try {
    for (const name of fileNames) files.push(await openSafetensorsFile(join(dir, name)));
    const tensors = collectTensors(files, shardOf, dir);
    return {
      files,
      tensors,
      async readFloat32(name) {
        const tensor = tensors.get(name);
        if (tensor === undefined)
          throw new InputError(`the checkpoint has no tensor "${name}"`, { tensor: name });
        return tensor.file.readFloat32(name);
      },
      async close() {
        await Promise.all(files.map((file) => file.close()));
      },
    };
  } catch (error) {
    await Promise.all(files.map((file) => file.close()));
    throw error;
  }
}

function collectTensors(
  files: readonly SafetensorsFile[],
  shardOf: ReadonlyMap<string, string> | undefined,
  dir: string,
): Map<string, CheckpointTensor> {
  const tensors = new Map<string, CheckpointTensor>();
  for (const file of files) {
    for (const entry of file.header.entries) {
      const previous = tensors.get(entry.name);
      if (previous !== undefined) {
        throw new SpecError(`checkpoint "${dir}": tensor "${entry.name}" is stored twice`, {
          tensor: entry.name,
          actual: `in ${basename(previous.file.path)} and ${basename(file.path)}`,
        });
      }
      tensors.set(entry.name, { file, entry });
    }
  }
  for (const [name, shard] of shardOf ?? []) {
    const stored = tensors.get(name);
    if (stored === undefined || basename(stored.file.path) !== shard) {
      throw new SpecError(`${SHARDED_CHECKPOINT_INDEX}: "${name}" is not in the shard the index names`, {
        tensor: name,
        expected: `in ${shard}`,
        actual: stored === undefined ? 'in no shard' : `in ${basename(stored.file.path)}`,
      });
    }
  }
  return tensors;
}

function parseWeightMap(text: string, dir: string): Map<string, string> {
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (cause) {
    throw new SpecError(`${SHARDED_CHECKPOINT_INDEX} in "${dir}" is not JSON: ${(cause as Error).message}`);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new SpecError(`${SHARDED_CHECKPOINT_INDEX}: weight_map must be an object of tensor → shard file`, {
      tensor: 'weight_map',
      actual: weightMap === undefined ? 'missing' : typeof weightMap,
    });
  }
  const shardOf = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    // A shard is a file of this directory: no paths, so an index cannot point elsewhere.
    if (typeof shard !== 'string' || shard !== basename(shard) || !shard.endsWith('.safetensors')) {
      throw new SpecError(
        `${SHARDED_CHECKPOINT_INDEX}: weight_map["${name}"] must name a .safetensors file of the directory`,
        {
          tensor: name,
          actual: shard,
        },
      );
    }
    shardOf.set(name, shard);
  }
  return shardOf;
}

/** The text of `path`, or undefined when it does not exist (other read errors are reported). */
async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InputError(`cannot read "${path}": ${code ?? (error as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
