/**
 * `@weft/wgsl/test`: checks of generated WGSL for tests over a corpus of kernels — every declared
 * identifier read, no line over 120 characters, no `var` initialized only to be overwritten.
 *
 * @packageDocumentation
 */

export * from './half-tier.js';
export * from './wgsl-lint.js';
