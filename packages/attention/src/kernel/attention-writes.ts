import { type Kernel, type Node, UnsupportedError } from '@weft/ir';
import type { AttentionOutputKind } from '../op/attention-attrs.js';
import { decodeAttentionNode } from '../op/attention-node.js';

/**
 * The results one attention kernel writes, by kind: its output O, the row log-sum-exp and the row
 * max, each an attention node over the same operands (the planner gives such nodes one kernel;
 * see the op's `sharedKernelKey`). A kind the graph does not ask for is absent.
 */
export type AttentionWrites = Readonly<Partial<Record<AttentionOutputKind, Node>>>;

/** The kernel's outputs by kind; throws when an output is not one of its attention's results. */
export function attentionWrites(kernel: Kernel): AttentionWrites {
  const writes: Partial<Record<AttentionOutputKind, Node>> = {};
  const anchor = kernel.anchor;
  // A result written through a view (merged heads) is listed by the schedule as the op's node.
  const results = kernel.schedule.kind === 'opaque' ? kernel.schedule.outputs : kernel.outputs;
  for (const output of results) {
    const sameOperands =
      output.inputs.length === anchor.inputs.length &&
      output.inputs.every((operand, index) => operand === anchor.inputs[index]);
    if (output.op !== anchor.op || !sameOperands) {
      throw new UnsupportedError('attention kernel: an output is not a result of its attention', {
        block: decodeAttentionNode(anchor).block,
        tensor: output.op,
        expected: 'the output, log-sum-exp or row max of one attention node',
      });
    }
    writes[decodeAttentionNode(output).output] = output;
  }
  return writes;
}
