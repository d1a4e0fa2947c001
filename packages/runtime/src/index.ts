/**
 * `@weft/runtime`: runs Weft programs on WebGPU — device acquisition in the browser and in Node
 * (Dawn), pipelines, the buffer arena, dispatch, readback and profiling.
 *
 * @packageDocumentation
 */
export * from './device/adapter-description.js';
export * from './device/request-weft-device.js';
export * from './device/saxpy-check.js';
export { SWIFTSHADER_ICD } from './device/swiftshader-icd.js';
export * from './program/compile.js';
export { type DeviceProfileOptions, defaultHalfStorage, deviceProfileOf } from './program/device-profile.js';
export * from './program/generate-kernels.js';
export { cachedPipelineCount, PIPELINE_CACHE_SIZE } from './program/pipeline-cache.js';
export * from './program/program.js';
export * from './program/tensor-data.js';
