// Compiles the attention kernels of `test/attention-wgsl-cases.ts` on the WebGPU device (Dawn's WGSL
// front end: parsing, validation, uniformity) and prints every error:
//   tsx --conditions=@weft/source test/validate-attention-wgsl.ts
import { requestWeftDevice } from '@weft/runtime';
import { ATTENTION_WGSL_CASES, attentionWgsl, PROFILES } from './attention-wgsl-cases.js';

const { device } = await requestWeftDevice();
let failures = 0;
for (const testCase of ATTENTION_WGSL_CASES) {
  for (const [name, profile] of Object.entries(PROFILES)) {
    for (const code of attentionWgsl(testCase, profile)) {
      const module = device.createShaderModule({ code });
      const errors = (await module.getCompilationInfo()).messages.filter(
        (message) => message.type === 'error',
      );
      if (errors.length > 0) failures++;
      for (const error of errors)
        console.log(`${testCase.name} (${name}) ${error.lineNum}:${error.linePos} ${error.message}`);
    }
  }
}
console.log(failures === 0 ? 'all attention kernels compile' : `${failures} kernels fail`);
process.exit(failures === 0 ? 0 : 1);
