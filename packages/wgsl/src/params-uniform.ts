import { type DimBindings, InputError, type Node, resolveDim, type SymbolicDim } from '@weft/ir';
import { tensorDescription } from './tensor-bindings.js';

// The `params` uniform of a kernel: the symbolic dims it uses and packed inputs' word offsets.

/** One `u32` field of `params`: a symbolic dim's value or a packed tensor's word offset. */
export interface UniformField {
  readonly name: string;
  readonly dim?: string;
  readonly tensor?: Node;
}

/** The `params` words of a run: each field's dim value or packed tensor's word offset. */
export function packUniforms(
  fields: readonly UniformField[],
  dims: DimBindings,
  knownDims: ReadonlyMap<string, SymbolicDim>,
  packedOffsets: ReadonlyMap<Node, number> | undefined,
): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(Math.max(4, Math.ceil(fields.length / 4) * 4));
  fields.forEach((field, position) => {
    if (field.dim !== undefined) {
      const known = knownDims.get(field.dim);
      const value = known !== undefined ? resolveDim(known, dims) : dims[field.dim];
      if (value === undefined)
        throw new InputError('symbolic dim is not bound for this run', { dimension: field.dim });
      words[position] = value;
      return;
    }
    const tensor = field.tensor!;
    const offset = packedOffsets?.get(tensor);
    if (offset === undefined || offset % 4 !== 0 || offset < 0) {
      throw new InputError(
        'a packed tensor needs a non-negative byte offset, a multiple of 4, in its binding',
        {
          tensor: tensorDescription(tensor),
          expected: 'packedOffsets entry (bytes from the start of the bound range)',
          actual: offset ?? 'none',
        },
      );
    }
    words[position] = offset / 4;
  });
  return words;
}

/** The `Params` struct declaring `names` as `u32` fields, padded to a multiple of four. */
export function paramsStruct(names: readonly string[]): string {
  const padded = [...names];
  for (let pad = 0; padded.length % 4 !== 0; pad++) padded.push(`pad${pad}`);
  return ['struct Params {', ...padded.map((name) => `  ${name}: u32,`), '}'].join('\n');
}
