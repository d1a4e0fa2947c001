import { UnsupportedError } from '@weft/ir';
import type { MlpOptions } from '../../blocks/mlp.js';

// What the ONNX models read from an architecture definition's block options; anything else is refused.

/** The plain multi-head attention options the ONNX models write out (`heads`, `headDim`, biases). */
export interface PlainAttention {
  readonly heads: number;
  readonly headDim: number;
  readonly bias?: boolean;
  readonly outputBias?: boolean;
}

/** The attention options of a definition, refused unless plain MHA (no positions, masks or score mods). */
export function plainAttention(options: unknown, where: string): PlainAttention {
  const known = new Set(['heads', 'headDim', 'bias', 'outputBias']);
  const keys = Object.keys(options as object);
  const extra = keys.filter((key) => !known.has(key));
  if (extra.length > 0)
    throw new UnsupportedError(`${where} ONNX model: attention options ${extra} are not written out`);
  return options as PlainAttention;
}

/** A GELU MLP of a definition, refused otherwise. */
export function geluMlpOf(options: MlpOptions, where: string): { hidden: number; bias: boolean } {
  if (options.kind !== 'gelu')
    throw new UnsupportedError(`${where} ONNX model: MLP ${options.kind} is not written out`);
  return { hidden: options.hidden, bias: options.bias ?? false };
}
