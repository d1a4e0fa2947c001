// The main job (`pnpm demo`): a decoder LM compiled to fused WebGPU kernels, prefill and
// generation with the KV cache on the device, checked against the float64 reference.

import { runDemo } from './demo/run-demo.js';

await runDemo();
