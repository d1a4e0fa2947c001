import { attentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * CORE-ReID's Enhanced Channel Attention Block (GMP and GAP through one six-layer 1×1-conv
 * bottleneck, sigmoid gate) and CBAM spatial attention (σ of a 7×7 conv of the channel mean and
 * max), in the order of the paper's global fusion branch: IR ops, no attention kernel.
 *
 * Catalog paper 6: CORE-ReID (Nguyen et al.).
 *
 * @example
 * ```ts
 * const { gate, pooled } = channelAttentionGate(x, { reduction: 4 });
 * const scaled = mul(x, reshape(mul(gate, pooled), [2, 64, 1, 1]));
 * const output = mul(scaled, spatialAttentionGate(scaled));
 * ```
 */
export const coreReidChannelSpatialEntry = attentionZooEntry({
  id: 'core-reid-channel-spatial',
  mechanism: 'core-reid-channel-spatial',
  paper: {
    id: 6,
    title: 'CORE-ReID: ECAB channel attention and CBAM spatial attention (Nguyen et al.)',
    group: 'G5',
  },
  description:
    'ECAB gate (64 → 16 → 4 → 1 → 4 → 16 → 64) and CBAM 7×7 spatial gate on 2 maps of 64 channels × 8 × 4 (paper: 2048 × 16 × 8).',
  tolerance: DEFAULT_TOLERANCE,
});
