import { argmax, type Dim, div, exp, input, max, mean, mul, sub, sum, symbolicDim } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { makeKernel, SUBGROUP_PROFILE } from '../../test/kernel-fixtures.js';
import { generateKernel } from '../generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from '../generated-kernel.js';
import { chooseRowStrategy, SERIAL_ROWS_PER_WORKGROUP, SERIAL_UNROLL } from './row-strategy.js';

const SOFTWARE: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, software: true };

function softmaxKernel(rows: Dim, columns: Dim) {
  const x = input('x', [rows, columns]);
  const e = exp(sub(x, max(x, -1, { keepDims: true })));
  return makeKernel('row', [div(e, sum(e, -1, { keepDims: true }))], [x]);
}

const SERIAL = {
  cooperative: false,
  subgroups: false,
  width: SERIAL_ROWS_PER_WORKGROUP,
  unroll: SERIAL_UNROLL,
};

describe('chooseRowStrategy', () => {
  test('a software adapter gets one invocation per row, whatever the row length', () => {
    for (const columns of [1, 33, 256, 4096]) {
      expect(chooseRowStrategy(softmaxKernel(512, columns), SOFTWARE)).toEqual(SERIAL);
    }
  });

  test('a hardware GPU splits rows longer than 32 over a workgroup, with subgroups where it has them', () => {
    expect(chooseRowStrategy(softmaxKernel(512, 33), DEFAULT_DEVICE_PROFILE)).toEqual({
      cooperative: true,
      subgroups: false,
    });
    expect(chooseRowStrategy(softmaxKernel(512, 256), SUBGROUP_PROFILE)).toEqual({
      cooperative: true,
      subgroups: true,
    });
    expect(
      chooseRowStrategy(softmaxKernel(512, 256), SUBGROUP_PROFILE, { subgroupReductions: false }),
    ).toEqual({ cooperative: true, subgroups: false });
  });

  test('rows of at most 32 elements run one per invocation on every device', () => {
    expect(chooseRowStrategy(softmaxKernel(4096, 32), DEFAULT_DEVICE_PROFILE)).toEqual(SERIAL);
    expect(chooseRowStrategy(softmaxKernel(3, 1), SUBGROUP_PROFILE)).toEqual(SERIAL);
  });

  test('a symbolic row length is judged by its bound', () => {
    const short = symbolicDim('short', { max: 16 });
    const long = symbolicDim('long', { max: 4096 });
    expect(chooseRowStrategy(softmaxKernel(8, short), DEFAULT_DEVICE_PROFILE).cooperative).toBe(false);
    expect(chooseRowStrategy(softmaxKernel(8, long), DEFAULT_DEVICE_PROFILE).cooperative).toBe(true);
  });

  test('the serial width respects the device limit', () => {
    const narrow: DeviceProfile = {
      ...SOFTWARE,
      limits: { ...SOFTWARE.limits, maxComputeInvocationsPerWorkgroup: 16 },
    };
    expect(chooseRowStrategy(softmaxKernel(512, 256), narrow).width).toBe(16);
  });
});

describe('the serial row kernel', () => {
  test('has no barriers or workgroup memory, unrolls its passes by 4 and covers every row', () => {
    const x = input('x', [37, 255]);
    const centered = sub(x, mean(x, -1, { keepDims: true }));
    const kernel = makeKernel('row', [centered, mean(mul(centered, centered), -1), argmax(x, -1)], [x]);
    const generated = generateKernel(kernel, SOFTWARE);
    expect(generated.workgroupSize).toEqual([SERIAL_ROWS_PER_WORKGROUP, 1, 1]);
    expect(generated.workgroups({})).toEqual([1, 1, 1]);
    expect(generated.wgsl).not.toContain('workgroupBarrier');
    expect(generated.wgsl).not.toContain('var<workgroup>');
    expect(generated.wgsl).toContain('for (; column + 3 < 255; column += 4) {');
    expect(generated.wgsl).toContain(
      'let total0 = (partial_total0_0 + partial_total0_1) + (partial_total0_2 + partial_total0_3);',
    );
  });

  test('the cooperative kernel on the same hardware profile keeps its tree', () => {
    const generated = generateKernel(softmaxKernel(37, 255), DEFAULT_DEVICE_PROFILE);
    expect(generated.workgroupSize).toEqual([256, 1, 1]);
    expect(generated.workgroups({})).toEqual([37, 1, 1]);
    expect(generated.wgsl).toContain('workgroupBarrier();');
  });
});
