/**
 * `@weft/norms`: the normalization layers of the catalog (group G3) as typed graph builders —
 * LayerNorm, RMSNorm and simple RMSNorm, ScaleNorm, FixNorm, GroupNorm, InstanceNorm (masked),
 * BatchNorm (inference), ℓ₂/QK normalization, AdaIN and SAIN, AdaLIN and ILN, adaLN-Zero, SPADE,
 * nGPT's hypersphere normalization and spherical residual, and per-task LayerNorm parameter sets;
 * also GAAM's Gaussian gating (catalog 69, group G2), a normalization-shaped layer.
 *
 * Each builder decomposes into `@weft/ir` primitives (row reductions with kept dims, then a
 * broadcast elementwise map), which the reference interpreter evaluates in float64 and the fusion
 * planner turns into one `row` kernel. Parameters are `param` nodes named `${name}.gamma`, ...
 *
 * @packageDocumentation
 */

export * from './ada-in.js';
export * from './ada-lin.js';
export * from './ada-ln-zero.js';
export * from './batch-norm.js';
export * from './fix-norm.js';
export * from './gaussian-adaptive-attention.js';
export * from './group-norm.js';
export * from './hypersphere.js';
export * from './instance-norm.js';
export * from './l2-norm.js';
export * from './layer-norm.js';
export * from './norm-catalog.js';
export * from './rms-norm.js';
export { rootMeanSquare, scaledInverseRoot, standardize, unitNormalize } from './row-statistics.js';
export type { SampleValues } from './sample-values.js';
export * from './scale-norm.js';
export * from './spade.js';
export * from './task-layer-norm.js';
