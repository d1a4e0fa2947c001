/**
 * `@weft/runtime`: runs Weft programs on WebGPU — device acquisition in the browser and in Node
 * (Dawn), pipelines, the buffer arena, dispatch, readback and profiling.
 *
 * @packageDocumentation
 */
export * from './device/adapter-description.js';
export * from './device/request-weft-device.js';
export { SWIFTSHADER_ICD } from './device/node-gpu.js';
export * from './device/saxpy-check.js';
