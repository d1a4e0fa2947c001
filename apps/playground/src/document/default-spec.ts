/** The spec the page opens with: causal grouped-query attention with RoPE and a sliding window. */
export const DEFAULT_SPEC = `{
  "heads": 4,
  "kvHeads": 2,
  "headDim": 16,
  "positions": { "kind": "rope" },
  "mask": {
    "kind": "and",
    "masks": [{ "kind": "causal" }, { "kind": "slidingWindow", "window": 40 }]
  }
}
`;

/** The same spec as a TypeScript module, what the page's "TypeScript example" button opens. */
export const TYPESCRIPT_EXAMPLE = `import { and, attention, causal, rope, slidingWindow } from '@weft/attention';

// A TypeScript spec exports an AttentionSpec, a graph (or a node), or a JSON-shaped document.
const window = 40;
export default attention({
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  positions: rope(),
  mask: and(causal(), slidingWindow(window)),
});
`;
