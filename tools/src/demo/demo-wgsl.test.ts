import { attention } from '@weft/attention/kernels';
import { runPipeline } from '@weft/ir';
import { buildDecoderLmGraph, parseModelSpec } from '@weft/models';
import { DEFAULT_DEVICE_PROFILE, generateProgram } from '@weft/wgsl';
import { lintKernels } from '@weft/wgsl/test';
import { describe, expect, test } from 'vitest';
import { DEMO_SPEC } from './demo-spec.js';

/** Templates excused from the lint: none (as in `apps/cli/src/generated-wgsl.test.ts`). */
const EXCUSED_TEMPLATES = new Set<string>();

describe("the demo decoder's generated WGSL reads cleanly", () => {
  const { config } = parseModelSpec(DEMO_SPEC);
  for (const software of [false, true]) {
    test(`${software ? 'software' : 'hardware'} profile, prefill and cached step`, () => {
      const findings = (['forward', 'step'] as const).flatMap((mode) => {
        const { plan } = runPipeline(buildDecoderLmGraph(config, { mode }).graph, { fuse: true });
        const kernels = generateProgram(
          plan,
          { ...DEFAULT_DEVICE_PROFILE, software },
          { inputAccess: 'arena', extensions: [attention] },
        );
        return lintKernels(kernels, EXCUSED_TEMPLATES).findings.map((line) => `${mode}: ${line}`);
      });
      expect(findings).toEqual([]);
    });
  }
});
