// The main job: acquire a WebGPU device (or say why none exists) and run a compute check on it.

import { WeftError } from '@weft/ir';
import { formatAdapter, requestWeftDevice, runSaxpyCheck } from '@weft/runtime';

async function main(): Promise<void> {
  let weft: Awaited<ReturnType<typeof requestWeftDevice>>;
  try {
    weft = await requestWeftDevice();
  } catch (error) {
    if (!WeftError.isInstance(error) || error.code !== 'no-webgpu') throw error;
    console.log(`No WebGPU adapter (${error.message}).`);
    console.log('Falling back to the CPU reference backend.');
    return;
  }
  console.log(`Adapter: ${formatAdapter(weft.adapter)}`);
  const check = await runSaxpyCheck(weft.device, 1 << 16);
  console.log(
    `Compute check: y = a·x + y over ${check.count} values, max |error| ${check.maxAbsError.toExponential(2)}, ${check.milliseconds.toFixed(1)} ms`,
  );
  weft.destroy();
}

await main();
