import { relativeError } from '@weft/ir/test';
import { compile } from '@weft/runtime';
import { getTestDevice } from '@weft/runtime/test';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCase, type CaseShape, graphOf, referenceOf } from '../test/attention-case.js';
import { causal, slidingWindow } from './index.js';
import { attention as attentionKernels } from './kernels.js';

/** f32 kernel vs the float64 reference, normwise relative error (as in the other kernel tests). */
const TOLERANCE = 1e-5;

const errors: Record<string, number> = {};

/**
 * Plain softmax runs with several query rows per invocation on a software adapter and with one on
 * a hardware one: both kernels, forced through the device description, against float64.
 */
describe('tiled softmax kernel: query rows per invocation (software vs hardware tiling)', () => {
  afterAll(() => {
    console.log('rows-per-invocation kernel errors:', errors);
  });

  // 70 queries leave a partial last query block (rows past the end in every blocked invocation),
  // 70 keys a partial last key tile; GQA with a batch of 2.
  const shape: CaseShape = {
    batch: 2,
    heads: 4,
    kvHeads: 2,
    queries: 70,
    keys: 70,
    headDim: 10,
    valueDim: 7,
  };
  const masks = { none: undefined, causal: causal(), 'sliding(9)': slidingWindow(9) };
  // The software form reads staged rows by subgroup broadcast where the adapter reports one
  // subgroup size equal to its 4 invocations (SwiftShader), each invocation for itself otherwise.
  const forms = [
    { software: true, subgroups: true },
    { software: true, subgroups: false },
    { software: false, subgroups: true },
  ];
  for (const { software, subgroups } of forms) {
    for (const [maskName, mask] of Object.entries(masks)) {
      const label = `${software ? 'software' : 'hardware'}${subgroups ? '' : ' no subgroups'} ${maskName}`;
      it(`${label}: ${software ? '8 rows' : '1 row'} per invocation vs float64`, async () => {
        const weft = await getTestDevice();
        const testCase = buildCase(shape, mask === undefined ? {} : { mask }, {}, 91);
        const program = await compile(graphOf(testCase), {
          device: { ...weft, adapter: { ...weft.adapter, software } },
          extensions: [attentionKernels],
          subgroups,
        });
        try {
          const [kernel] = program.kernels.filter((each) => each.wgsl.includes('staged_key('));
          expect(kernel, label).toBeDefined();
          expect(kernel!.wgsl, label).toContain(`@workgroup_size(${software ? 4 : 32}, 1, 1)`);
          const info = (
            weft.device as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }
          ).adapterInfo;
          const broadcast =
            software &&
            subgroups &&
            weft.device.features.has('subgroups') &&
            info?.subgroupMinSize === 4 &&
            info.subgroupMaxSize === 4;
          if (software && subgroups && !broadcast) {
            console.log(
              `${label}: the adapter has no single subgroup size of 4; the broadcast form is not tested`,
            );
          }
          expect(kernel!.wgsl.includes('subgroupBroadcast('), label).toBe(broadcast);
          const inputs = Object.fromEntries(
            Object.entries(testCase.inputs).map(([name, t]) => [name, t.data]),
          );
          const results = await program.run(inputs, { dims: testCase.dims, poisonOutputs: true });
          const reference = referenceOf(testCase);
          for (const name of Object.keys(reference)) {
            const actual = Float32Array.from(results[name]!.data);
            expect(actual.some(Number.isNaN), `${label} ${name} has NaN`).toBe(false);
            const error = relativeError(actual, reference[name]!);
            errors[`${label} ${name}`] = error;
            expect(error, `${label} ${name}`).toBeLessThan(TOLERANCE);
          }
        } finally {
          program.destroy();
        }
      });
    }
  }
});
