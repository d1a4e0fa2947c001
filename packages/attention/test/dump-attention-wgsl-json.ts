import { ATTENTION_WGSL_CASES, attentionWgsl, PROFILES } from './attention-wgsl-cases.js';

const out: Record<string, string[]> = {};
for (const testCase of ATTENTION_WGSL_CASES)
  for (const [name, profile] of Object.entries(PROFILES))
    out[`${testCase.name} (${name})`] = attentionWgsl(testCase, profile);
console.log(JSON.stringify(out));
