// The main job (`pnpm demo`): a decoder LM compiled to fused WebGPU kernels, prefill and
// generation with the KV cache on the device, checked against the float64 reference.

import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { runDemo } from './demo/run-demo.js';

// Before the WebGPU binding loads: without XDG_RUNTIME_DIR, Dawn's Vulkan loader prints a harmless
// "XDG_RUNTIME_DIR is invalid or not set" error twice per run.
usePrivateRuntimeDir();
await runDemo();
