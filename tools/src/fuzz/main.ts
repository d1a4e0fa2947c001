// `pnpm fuzz`: differential fuzzing of generated specs on WebGPU against the float64 reference,
// and invalid-spec fuzzing of the JSON model loader and the attention DSL.
import { writeFile } from 'node:fs/promises';
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { UsageError, usePrivateRuntimeDir } from '@weft/zoo/cli';
import { SWIFTSHADER_ICD } from '../bench/bench-gpu.js';
import { FUZZ_USAGE, parseFuzzOptions } from './fuzz-options.js';
import { deviceTable, formatDeviceFailure, invalidSummary } from './fuzz-report.js';
import { type InvalidResult, invalidCase, runInvalidCase } from './invalid-specs.js';
import { caseSeed } from './prng.js';
import { type CaseResult, deviceRecipe, runDeviceCase } from './run-device-case.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseFuzzOptions>;
  try {
    options = parseFuzzOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${FUZZ_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(FUZZ_USAGE);
    return 0;
  }
  const seeds =
    options.replay !== undefined
      ? [options.replay]
      : Array.from({ length: options.cases }, (_, index) => caseSeed(options.seed, index));
  const device: CaseResult[] = [];
  if (seeds.length > 0) {
    if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined)
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const weft = await requestWeftDevice();
    console.log(`Adapter: ${formatAdapter(weft.adapter)}`);
    console.log(
      `Device cases: ${seeds.length} (seed ${options.seed}${options.only === undefined ? '' : `, only ${options.only}`})`,
    );
    const started = performance.now();
    for (const [index, seed] of seeds.entries()) {
      if (options.minutes !== undefined && performance.now() - started > options.minutes * 60_000) {
        console.log(`  time limit of ${options.minutes} min reached: ${index} of ${seeds.length} cases ran`);
        break;
      }
      const recipe = deviceRecipe(seed, options.only);
      const result = await runDeviceCase(recipe, weft);
      device.push(result);
      const error =
        result.error === undefined
          ? ''
          : ` ${result.error.toExponential(1)}${result.cpuF32Error === undefined ? '' : ` (cpu f32 ${result.cpuF32Error.toExponential(1)})`}`;
      console.log(
        `  ${String(index + 1).padStart(4)}/${seeds.length} ${result.outcome.padEnd(13)} ${recipe.family.padEnd(22)}${error.padEnd(9)} ${(result.milliseconds / 1000).toFixed(1)}s seed ${seed}`,
      );
    }
    console.log(`\nDevice cases done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    console.log(deviceTable(device));
    const failures = device.filter((result) => result.outcome !== 'ok' && result.outcome !== 'rejected');
    if (failures.length > 0) {
      console.log(`\nFailing device cases (${failures.length}):`);
      for (const failure of failures) console.log(formatDeviceFailure(failure));
    }
    const rejected = device.filter((result) => result.outcome === 'rejected');
    if (rejected.length > 0) {
      const reasons = new Map<string, number>();
      for (const result of rejected) {
        const reason = (result.message ?? '')
          .replace(/fuzz\.\d+/g, 'fuzz.N')
          .replace(/\d+/g, 'N')
          .slice(0, 150);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      console.log(`\nTyped rejections (${rejected.length}), by message:`);
      for (const [reason, count] of [...reasons.entries()].sort((a, b) => b[1] - a[1]))
        console.log(`  ×${count} ${reason}`);
    }
  }
  const invalid: InvalidResult[] = [];
  if (options.replay === undefined && options.invalid > 0) {
    for (let index = 0; index < options.invalid; index++)
      invalid.push(runInvalidCase(invalidCase(caseSeed(options.seed + 0x1000, index))));
    console.log(`\nInvalid specs (${invalid.length}):`);
    console.log(invalidSummary(invalid));
  }
  if (options.json !== undefined) {
    await writeFile(
      options.json,
      `${JSON.stringify({ date: new Date().toISOString(), options, device, invalid }, (_, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2)}\n`,
    );
    console.log(`\nWrote ${options.json}`);
  }
  const bad =
    device.some((result) => result.outcome !== 'ok' && result.outcome !== 'rejected') ||
    invalid.some((result) => result.outcome !== 'typed');
  return bad ? 1 : 0;
}

// Before the WebGPU binding loads: without XDG_RUNTIME_DIR, Dawn's Vulkan loader prints a harmless
// "XDG_RUNTIME_DIR is invalid or not set" error twice per run.
usePrivateRuntimeDir();
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
