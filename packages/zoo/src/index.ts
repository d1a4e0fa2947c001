/**
 * `@weft/zoo`: ready-made specs of the catalog's published mechanisms, one per mechanism, each
 * citing its paper — the normalization layers of `@weft/norms` (group G3) and the attention
 * mechanisms of `@weft/attention` (groups G1 and G2) — and the inputs and rule of the f32 error
 * budget. The entries build graphs only: running them on a device (`measureZooEntry`,
 * `measureErrorBudget`) is `@weft/zoo/runner`, next to the `pnpm zoo` command.
 *
 * @example
 * ```ts
 * const entry = findZooEntry('layer-norm')!;
 * const { graph, inputs, params } = entry.build();
 * const program = await compile(graph, { device: await requestWeftDevice(), params, extensions: ZOO_EXTENSIONS });
 * const { y } = await program.run(inputs);
 * ```
 *
 * @packageDocumentation
 */

export * from './budget/budget-inputs.js';
export * from './budget/budget-rule.js';
export * from './budget/known-over-budget.js';
export * from './entries/index.js';
export { maxRelativeError } from './measure/max-relative-error.js';
export { DEFAULT_TOLERANCE, ROPE_TOLERANCE } from './tolerances.js';
export * from './zoo.js';
export type * from './zoo-entry.js';
export * from './zoo-extensions.js';
