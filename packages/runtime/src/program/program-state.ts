import { InputError, maxElementCount, type Node, shapesEqual } from '@weft/ir';
import type { GraphSignature } from './graph-signature.js';

/** One persistent tensor: an input whose value, after each run, becomes that of an output. */
export interface StatePair {
  /** The input name (its buffer persists across runs). */
  readonly input: string;
  /** The input node. */
  readonly inputNode: Node;
  /** The output name whose value is copied into the input after each run. */
  readonly output: string;
  /** The output node. */
  readonly outputNode: Node;
}

/**
 * Checks a `state` map (input name → output name): both exist, with the same dtype and shape.
 * Throws an {@link InputError} naming the pair otherwise.
 */
export function checkState(
  signature: GraphSignature,
  outputs: Readonly<Record<string, Node>>,
  state: Readonly<Record<string, string>>,
): StatePair[] {
  return Object.entries(state).map(([input, output]) => {
    const inputNode = signature.inputs.get(input);
    if (inputNode === undefined) {
      throw new InputError('a state entry names an unknown input', {
        tensor: input,
        expected: [...signature.inputs.keys()].join(', '),
      });
    }
    const outputNode = outputs[output];
    if (outputNode === undefined) {
      throw new InputError('a state entry names an unknown output', {
        tensor: output,
        expected: Object.keys(outputs).join(', '),
      });
    }
    if (inputNode.dtype !== outputNode.dtype || !shapesEqual(inputNode.shape, outputNode.shape)) {
      throw new InputError('a state input and its output must have the same dtype and shape', {
        tensor: `${input} <- ${output}`,
        expected: `${inputNode.dtype}[${maxElementCount(inputNode.shape)}]`,
        actual: `${outputNode.dtype}[${maxElementCount(outputNode.shape)}]`,
      });
    }
    return { input, inputNode, output, outputNode };
  });
}
