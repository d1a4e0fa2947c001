import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileErrors, requestTestDevice } from '../test/gpu-harness.js';
import {
  clashingKernels,
  generateAll,
  graphNamed,
  HOSTILE_NAMES,
  PACKING_PROFILE,
} from '../test/hostile-names.js';
import { generateKernel } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type GeneratedKernel } from './generated-kernel.js';

let device: GPUDevice;

beforeAll(async () => {
  device = await requestTestDevice();
});

afterAll(() => device?.destroy());

/** Errors of the device's WGSL front end (parse and validation) for `kernel`'s module. */
async function moduleErrors(kernel: GeneratedKernel): Promise<string[]> {
  const module = device.createShaderModule({ code: kernel.wgsl, label: kernel.label });
  const info = await module.getCompilationInfo();
  return info.messages
    .filter((message) => message.type === 'error')
    .map((message) => `${message.lineNum}: ${message.message}`);
}

describe('modules named by hostile user names are valid WGSL on a real device', () => {
  test('every template, fused and unfused, packed and not, with every name', async () => {
    const kernels: GeneratedKernel[] = [];
    for (const name of HOSTILE_NAMES) {
      kernels.push(...generateAll(graphNamed(name)), ...generateAll(graphNamed(name), PACKING_PROFILE));
    }
    const [reads, writes] = clashingKernels();
    kernels.push(
      generateKernel(reads!, DEFAULT_DEVICE_PROFILE),
      generateKernel(reads!, PACKING_PROFILE),
      generateKernel(writes!, DEFAULT_DEVICE_PROFILE),
    );
    const failures: string[] = [];
    for (const kernel of kernels) {
      const errors = await moduleErrors(kernel);
      if (errors.length > 0) failures.push(`${kernel.label}: ${errors.join('; ')}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  test('and build pipelines (a sample: keywords, comment delimiters, clashes)', async () => {
    const kernels = ['fn', 'x */ y /* z', '__proto__'].flatMap((name) =>
      generateAll(graphNamed(name), PACKING_PROFILE).slice(0, 1),
    );
    kernels.push(generateKernel(clashingKernels()[1]!, DEFAULT_DEVICE_PROFILE));
    for (const kernel of kernels) expect(await compileErrors(device, kernel), kernel.label).toEqual([]);
  }, 120_000);
});
