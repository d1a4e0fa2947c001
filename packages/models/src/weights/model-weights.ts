import { InputError, SpecError } from '@weft/ir';
import { fuseProjections, type WeightTensor } from './fuse-projections.js';
import type { LoadedTensor } from './safetensors.js';
import { LLAMA_STATE_DICT_RULES, mapStateDictNames, type StateDictRule } from './state-dict-names.js';

/** A parameter a model expects: its Weft name and shape. */
export interface ExpectedParameter {
  /** Weft name, e.g. `layers.0.attn.wqkv`. */
  readonly name: string;
  /** Shape, row-major. */
  readonly shape: readonly number[];
}

/**
 * Turns loaded weights into a model's parameters. Names already in Weft form pass through;
 * PyTorch-style names are renamed by `rules` (Llama-style by default), `torch.nn.Linear` weights
 * transposed from `[out, in]` to `[in, out]`, and separate projections fused (`q/k/v → wqkv`,
 * `gate/up → wGateUp`). Every expected parameter must then be present with its shape.
 *
 * @throws SpecError listing unknown names, missing parameters or wrong shapes (each named);
 * InputError for integer tensors.
 *
 * @example
 * ```ts fragment
 * const params = parametersFromWeights(readSafetensors(bytes), graphParameters(graph));
 * ```
 */
export function parametersFromWeights(
  tensors: ReadonlyMap<string, LoadedTensor | WeightTensor>,
  expected: readonly ExpectedParameter[],
  rules: readonly StateDictRule[] = LLAMA_STATE_DICT_RULES,
): Record<string, Float32Array> {
  const expectedByName = new Map(expected.map((parameter) => [parameter.name, parameter]));
  const foreign = [...tensors.keys()].filter((name) => !expectedByName.has(name));
  const { mapped, unknown } = mapStateDictNames(foreign, rules);
  if (unknown.length > 0) {
    throw new SpecError(
      `weights: ${unknown.length} tensor name(s) are neither model parameters nor known state-dict names: ${unknown.slice(0, 8).join(', ')}`,
      {
        tensor: unknown[0]!,
        expected: 'Weft parameter names or names matching the state-dict rules',
      },
    );
  }
  const renamed = new Map<string, WeightTensor>();
  for (const [name, tensor] of tensors) {
    if (!(tensor.data instanceof Float32Array)) {
      throw new InputError('weights: parameters must be floating point', {
        tensor: name,
        expected: 'F32, F16 or BF16',
        actual: 'an integer tensor',
      });
    }
    const mapping = mapped.get(name);
    const weight = { shape: tensor.shape, data: tensor.data };
    renamed.set(
      mapping?.target ?? name,
      mapping?.transpose === true ? transposeMatrix(weight, name) : weight,
    );
  }
  const fused = fuseProjections(renamed);
  const result: Record<string, Float32Array> = {};
  for (const parameter of expected) {
    const tensor = fused.get(parameter.name);
    if (tensor === undefined) {
      throw new SpecError(`weights: parameter "${parameter.name}" is missing`, {
        tensor: parameter.name,
        expected: `[${parameter.shape.join(', ')}]`,
      });
    }
    if (
      tensor.shape.length !== parameter.shape.length ||
      tensor.shape.some((dim, axis) => dim !== parameter.shape[axis])
    ) {
      throw new SpecError(`weights: parameter "${parameter.name}" has the wrong shape`, {
        tensor: parameter.name,
        expected: `[${parameter.shape.join(', ')}]`,
        actual: `[${tensor.shape.join(', ')}]`,
      });
    }
    result[parameter.name] = tensor.data;
    fused.delete(parameter.name);
  }
  if (fused.size > 0) {
    throw new SpecError(
      `weights: ${fused.size} tensor(s) are not parameters of this model: ${[...fused.keys()].slice(0, 8).join(', ')}`,
      {
        tensor: [...fused.keys()][0]!,
        expected: 'only the parameters the model declares',
      },
    );
  }
  return result;
}

function transposeMatrix(tensor: WeightTensor, name: string): WeightTensor {
  if (tensor.shape.length !== 2) {
    throw new SpecError('weights: a Linear weight must be a matrix', {
      tensor: name,
      expected: 'rank 2',
      actual: `rank ${tensor.shape.length}`,
    });
  }
  const [rows, columns] = tensor.shape as [number, number];
  const data = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < columns; column++)
      data[column * rows + row] = tensor.data[row * columns + column]!;
  return { shape: [columns, rows], data };
}
