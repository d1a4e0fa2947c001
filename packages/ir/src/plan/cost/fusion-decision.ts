import type { Node } from '../../graph/node.js';

/**
 * One decision of the fusion planner's cost model: whether a matmul kernel computes the prologue
 * of one operand (the elementwise chain, and on A the row statistics, that produce it) while
 * loading it, or reads the operand from memory, written by a kernel of its own.
 */
export interface FusionDecision {
  /** What was decided: a matmul operand's prologue. */
  readonly kind: 'matmul-prologue';
  /** The matmul. */
  readonly matmul: Node;
  /** Which operand. */
  readonly operand: 'A' | 'B';
  /** The operand's value (the prologue's last node). */
  readonly value: Node;
  /** `true`: computed in the matmul kernel; `false`: a kernel of its own writes it. */
  readonly fused: boolean;
  /** Estimated extra time of the fused form: the prologue's repeated evaluations (ns). */
  readonly fusedNs: number;
  /** Estimated extra time of the split form: one more dispatch and a round trip of the operand (ns). */
  readonly splitNs: number;
  /** Why, in one line (the numbers the decision compared). */
  readonly reason: string;
}
