import type { AttentionOutputs } from '@weft/attention';
import { attention as attentionKernels } from '@weft/attention/kernels';
import { compile, type WeftDevice } from '@weft/runtime';
import type { InterleavedRun } from '@weft/zoo/runner';
import { randomValues } from '../random-values.js';

/** Every readout the attention spec offers, as the readout benchmark requests them. */
export const EVERY_READOUT = (sequence: number): AttentionOutputs => ({
  logSumExp: true,
  rowMax: true,
  entropy: true,
  diagonal: true,
  segmentMass: [0, Math.floor(sequence / 4), Math.floor(sequence / 2), Math.floor((3 * sequence) / 4)],
  probeRows: [-1],
});

/** Causal attention with or without readouts, compiled and ready to time. */
export interface ReadoutContender extends InterleavedRun {
  /** Short label, e.g. `plain` or `every readout`. */
  readonly label: string;
  /** Compute dispatches of one run. */
  readonly dispatches: number;
  /** Frees the program. */
  destroy(): void;
}

/**
 * The contenders, in this order: (0) causal softmax attention B=1, H=4, d=32 over `sequence`
 * tokens with every readout requested (the case the issue targets); (1) the same attention with
 * none (the baseline). Each run uploads q, k, v, runs the program and reads every output back.
 */
export async function readoutContenders(weft: WeftDevice, sequence: number): Promise<ReadoutContender[]> {
  const { input, makeGraph } = await import('@weft/ir');
  const { applyAttention, attention, causal } = await import('@weft/attention');
  const shape = [1, 4, sequence, 32];
  const size = shape.reduce((a, x) => a * x, 1);
  const inputs = { q: randomValues(size, 51), k: randomValues(size, 52), v: randomValues(size, 53) };
  const contender = async (
    label: string,
    outputs: AttentionOutputs | undefined,
  ): Promise<ReadoutContender> => {
    const spec = attention({
      heads: 4,
      headDim: 32,
      mask: causal(),
      ...(outputs === undefined ? {} : { outputs }),
    });
    const result = applyAttention(spec, {
      query: input('q', shape),
      key: input('k', shape),
      value: input('v', shape),
    });
    const graphOutputs = Object.fromEntries(Object.entries(result).filter((entry) => entry[1] !== undefined));
    const program = await compile(makeGraph(graphOutputs), { device: weft, extensions: [attentionKernels] });
    return {
      label,
      dispatches: program.stats.kernels,
      run: () => program.run(inputs),
      destroy: () => program.destroy(),
    };
  };
  return [await contender('every readout', EVERY_READOUT(sequence)), await contender('plain', undefined)];
}
