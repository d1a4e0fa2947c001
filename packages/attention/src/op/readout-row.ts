import type { AttentionAttrs, AttentionReadoutKind } from './attention-attrs.js';

/** Values per row of a readout: 1, one per key segment, or one per clipped relative offset. */
export function readoutWidth(attrs: AttentionAttrs): number {
  if (attrs.output === 'segmentMass') return attrs.keySegments!.length;
  return attrs.output === 'relativeMass' ? 2 * attrs.relativeClip! + 1 : 1;
}

/**
 * Writes the float64 readout `kind` of one row of probabilities into `target` from `offset`:
 * `weights[n]` is the weight on key `keyIndices[n]` (the kept keys), `ownKey` the key position of
 * the query (its diagonal). Entropy −Σ p log p (0 log 0 = 0), the weight on the own key, the
 * mass of each key segment, or the mass of each clipped relative offset clip(own − j, −K, K).
 */
export function writeReadoutRow(
  kind: Exclude<AttentionReadoutKind, 'probeRows'>,
  attrs: AttentionAttrs,
  weights: readonly number[],
  keyIndices: readonly number[],
  ownKey: number,
  target: Float64Array,
  offset: number,
): void {
  if (kind === 'entropy') {
    let entropy = 0;
    for (const p of weights) if (p > 0) entropy -= p * Math.log(p);
    target[offset] = entropy;
    return;
  }
  if (kind === 'diagonal') {
    const position = keyIndices.indexOf(ownKey);
    target[offset] = position < 0 ? 0 : weights[position]!;
    return;
  }
  if (kind === 'relativeMass') {
    const clip = attrs.relativeClip!;
    for (let r = 0; r <= 2 * clip; r++) target[offset + r] = 0;
    keyIndices.forEach((key, position) => {
      const bucket = offset + Math.min(clip, Math.max(-clip, ownKey - key)) + clip;
      target[bucket] = target[bucket]! + weights[position]!;
    });
    return;
  }
  const starts = attrs.keySegments!;
  for (let s = 0; s < starts.length; s++) target[offset + s] = 0;
  keyIndices.forEach((key, position) => {
    let segment = starts.length - 1;
    while (starts[segment]! > key) segment--;
    target[offset + segment] = target[offset + segment]! + weights[position]!;
  });
}
