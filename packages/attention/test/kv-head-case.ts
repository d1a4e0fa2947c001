import { tensorRef } from '@weft/ir';
import { randomTensor } from '@weft/ir/test';
import { customMask, scoreMod } from '../src/index.js';
import { type AttentionCase, buildCase, type CaseShape } from './attention-case.js';
import { naiveAttention } from './naive-attention.js';

/** Gate threshold of the per-key mask: about a fifth of the keys of each key head are dropped. */
const GATE_THRESHOLD = -0.6;

/**
 * A GQA case whose score mod reads a key bias `[B, kvHeads, Nk]` at `kvHead` and a value-head bias
 * `[B, valueHeads, Nk]` at `valueHead`, and whose mask keeps key k when gate `[B, kvHeads, Nk]` at
 * `kvHead` is above a threshold (key 0 always, so no row is empty).
 */
export function kvHeadCase(shape: CaseShape, seed: number): AttentionCase {
  const valueHeads = shape.valueHeads ?? shape.kvHeads;
  const keyShape = [shape.batch, shape.kvHeads, shape.keys];
  const valueShape = [shape.batch, valueHeads, shape.keys];
  const keyBias = tensorRef('keyBias', keyShape);
  const valueBias = tensorRef('valueBias', valueShape);
  const gate = tensorRef('gate', keyShape);
  const score = scoreMod(
    (s, { b, kvHead, valueHead, k }) =>
      s.add(keyBias.at(b, kvHead, k)).add(valueBias.at(b, valueHead, k).mul(0.5)),
    'headBiases',
  );
  const mask = customMask(
    ({ b, kvHead, k }) => gate.at(b, kvHead, k).gt(GATE_THRESHOLD).or(k.eq(0)),
    'keyGate',
  );
  return buildCase(
    shape,
    { name: 'attn', score: [score], mask },
    {
      keyBias: { tensor: randomTensor(keyShape, { seed: seed + 10, min: -2, max: 2 }) },
      valueBias: { tensor: randomTensor(valueShape, { seed: seed + 11, min: -2, max: 2 }) },
      gate: { tensor: randomTensor(keyShape, { seed: seed + 12 }) },
    },
    seed,
  );
}

/**
 * The hand-written float64 output of {@link kvHeadCase}: the head of each per-key tensor is
 * computed here (⌊h·kvHeads/heads⌋, ⌊h·valueHeads/heads⌋), independent of the Expr variables;
 * `keyHead` replaces the key-head mapping of the per-key tensors (to show that a wrong one is caught).
 */
export function denseKvHeadOutput(
  testCase: AttentionCase,
  keyHead = (h: number) => Math.floor((h * testCase.shape.kvHeads) / testCase.shape.heads),
): Float64Array {
  const { shape, inputs } = testCase;
  const valueHeads = shape.valueHeads ?? shape.kvHeads;
  const at = (name: string, heads: number, b: number, head: number, j: number) =>
    inputs[name]!.data[(b * heads + head) * shape.keys + j]!;
  const valueHead = (h: number) => Math.floor((h * valueHeads) / shape.heads);
  return naiveAttention({
    ...shape,
    query: inputs.q!.data,
    key: inputs.k!.data,
    value: inputs.v!.data,
    bias: (b, h, _i, j) =>
      at('keyBias', shape.kvHeads, b, keyHead(h), j) + 0.5 * at('valueBias', valueHeads, b, valueHead(h), j),
    keep: (b, h, _i, j) => j === 0 || at('gate', shape.kvHeads, b, keyHead(h), j) > GATE_THRESHOLD,
  }).output;
}
