import type { Node } from '../graph/node.js';
import { defOf } from './def-of.js';
import { reductionDomain } from './reduction-domain.js';

/** How the planner treats a node, from its op definition. */
export type NodeRole = 'source' | 'pointwise' | 'reduction' | 'matmul' | 'opaque';

/**
 * The planner's view of a node: elementwise and injective ops with a `lowerElement` are
 * `pointwise`; reductions whose axes it can read are `reduction`; anything else that computes is `opaque`.
 */
export function nodeRole(node: Node): NodeRole {
  const def = defOf(node);
  switch (def.fusion) {
    case 'source':
      return 'source';
    case 'elementwise':
    case 'injective':
      return def.lowerElement === undefined ? 'opaque' : 'pointwise';
    case 'reduction':
      return reductionDomain(node) === undefined ? 'opaque' : 'reduction';
    case 'matmul':
      return 'matmul';
    case 'opaque':
      return 'opaque';
  }
}

/**
 * Largest elementwise/injective cone a shared value may have and still be recomputed in each
 * kernel that reads it instead of being written once (a broadcast parameter, a scaled input).
 */
export const CHEAP_CONE_LIMIT = 4;
