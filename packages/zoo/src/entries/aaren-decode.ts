import { linearAttentionZooEntry } from '../package-catalog-entry.js';
import { DEFAULT_TOLERANCE } from '../tolerances.js';

/**
 * One Aaren decode step on a seeded state (m, u, w) with the paper's running max:
 * m' = max(m, s), u' = u e^(m − m') + e^(s − m'), w' = w e^(m − m') + v e^(s − m'), o = w' / u',
 * s = q·k for the learned query q. It is the gated one-feature linear attention's recurrent step
 * (gate e^(m − m'), key feature e^(s − m')); outputs the token's output and the three next states,
 * 2 + d_v numbers per head whatever the past length.
 *
 * Catalog paper 100: Attention as an RNN (Aaren), decode state.
 *
 * @example
 * ```ts
 * const step = applyAaren(keyRow, valueRow, { name: 'aaren', state: aarenStateInputs(1, 4, 16, 'aaren') });
 * ```
 */
export const aarenDecodeEntry = linearAttentionZooEntry({
  id: 'aaren-decode',
  mechanism: 'aaren-decode',
  paper: { id: 100, title: 'Attention as an RNN (Aaren), decode state (m, u, w)', group: 'G4' },
  description:
    'One Aaren decode step with the running max: a seeded state (m, u, w) per head, 4 heads × dim 16; outputs the token and the next (m, u, w).',
  tolerance: DEFAULT_TOLERANCE,
});
