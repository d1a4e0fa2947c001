/**
 * `@weft/models`: the model level of Weft — model specs as typed values and as versioned,
 * schema-validated JSON; weights I/O in the safetensors format with strict header checks; names
 * mapped from PyTorch-style state dicts; seeded parameter initialization for tests and demos.
 *
 * @packageDocumentation
 */

export { formatPath } from './spec/format-issues.js';
export * from './spec/model-spec-json.js';
export { MODEL_SPEC_SCHEMA_VERSION } from './spec/model-spec-schema.js';
export * from './spec/model-spec-types.js';
export * from './weights/float-bits.js';
export * from './weights/random-init.js';
export * from './weights/safetensors.js';
export * from './weights/safetensors-dtypes.js';
export * from './weights/safetensors-header.js';
export * from './weights/seeded-random.js';
export * from './weights/state-dict-names.js';
