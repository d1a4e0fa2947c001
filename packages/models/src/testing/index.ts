/**
 * Test helpers of `@weft/models` (`@weft/models/test`): tiny model specs small enough for the
 * software adapter.
 *
 * @packageDocumentation
 */

export { type DecoderPrograms, decodeVersusRecomputePrograms } from './decode-versus-recompute.js';
export { HYBRID_DECODER } from './hybrid-decoder.js';
export { TINY_GPT, TINY_LLAMA } from './tiny-specs.js';
