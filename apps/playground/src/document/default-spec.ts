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
