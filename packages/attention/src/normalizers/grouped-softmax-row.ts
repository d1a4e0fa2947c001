/**
 * Weights of one row under Landmark Attention's grouped softmax, in float64, one per visible key
 * (see `groupedSoftmax` in the spec for the definition). `keyIndices[j]` is the position of the
 * key of `scores[j]`, in increasing order; `queryPosition` is p_i = i + Nk − Nq. Keys after p_i and
 * landmark keys weigh 0; a previous block with no visible regular key, or whose landmark is not
 * visible, weighs 0; an empty top-level set gives an all-zero row.
 */
export function groupedSoftmaxRow(
  scores: readonly number[],
  keyIndices: readonly number[],
  queryPosition: number,
  blockSize: number,
): number[] {
  const layout = landmarkLayout(blockSize);
  const current = layout.block(queryPosition);
  const role = keyIndices.map((k): KeyRole => {
    if (k > queryPosition) return 'hidden';
    const block = layout.block(k);
    if (layout.isLandmark(k)) return block < current ? 'top' : 'hidden';
    return block === current ? 'top' : 'grouped';
  });
  const topScores = scores.filter((_, j) => role[j] === 'top');
  if (topScores.length === 0) return scores.map(() => 0);
  const topMax = Math.max(...topScores);
  const logSumExp = topMax + Math.log(topScores.reduce((sum, s) => sum + Math.exp(s - topMax), 0));

  // Per previous block: the gate of its landmark and the softmax statistics of its regular keys.
  const gates = new Map<number, number>();
  const groupMax = new Map<number, number>();
  const groupSum = new Map<number, number>();
  keyIndices.forEach((k, j) => {
    const block = layout.block(k);
    if (role[j] === 'top' && layout.isLandmark(k)) gates.set(block, Math.exp(scores[j]! - logSumExp));
    if (role[j] === 'grouped') groupMax.set(block, Math.max(groupMax.get(block) ?? -Infinity, scores[j]!));
  });
  keyIndices.forEach((k, j) => {
    if (role[j] !== 'grouped') return;
    const block = layout.block(k);
    groupSum.set(block, (groupSum.get(block) ?? 0) + Math.exp(scores[j]! - groupMax.get(block)!));
  });
  return keyIndices.map((k, j) => {
    const s = scores[j]!;
    if (role[j] === 'hidden') return 0;
    if (role[j] === 'top') return layout.isLandmark(k) ? 0 : Math.exp(s - logSumExp);
    const block = layout.block(k);
    const gate = gates.get(block) ?? 0;
    // The maxima make every non-empty block's sum ≥ 1, so this only triggers for empty blocks.
    const total = groupSum.get(block) ?? 0;
    return total < 0.5 ? 0 : (gate * Math.exp(s - groupMax.get(block)!)) / total;
  });
}

/** Block and landmark test of key positions for blocks of `blockSize` regular keys plus a landmark. */
function landmarkLayout(blockSize: number): {
  block(position: number): number;
  isLandmark(position: number): boolean;
} {
  const period = blockSize + 1;
  return {
    block: (position) => Math.floor(position / period),
    isLandmark: (position) => position >= 0 && (position + 1) % period === 0,
  };
}

/** `top`: in T_i; `grouped`: a regular key of a previous block; `hidden`: weighs 0. */
type KeyRole = 'top' | 'grouped' | 'hidden';
