// Prints the WGSL of the attention kernels of `test/attention-wgsl-cases.ts`:
//   tsx --conditions=@weft/source test/dump-attention-wgsl.ts [case name] [hardware|software]
import { ATTENTION_WGSL_CASES, attentionWgsl, PROFILES } from './attention-wgsl-cases.js';

const [filter = '', profileName] = process.argv.slice(2);
for (const testCase of ATTENTION_WGSL_CASES) {
  if (filter !== '' && testCase.name !== filter) continue;
  for (const [name, profile] of Object.entries(PROFILES)) {
    if (profileName !== undefined && profileName !== name) continue;
    for (const wgsl of attentionWgsl(testCase, profile)) {
      console.log(`// ===== ${testCase.name} (${name}) =====`);
      console.log(wgsl);
    }
  }
}
