/**
 * Test helpers of `@weft/models` (`@weft/models/test`): tiny model specs small enough for the
 * software adapter.
 *
 * @packageDocumentation
 */
export { TINY_GPT, TINY_LLAMA } from './tiny-specs.js';
