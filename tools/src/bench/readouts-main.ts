// `pnpm --filter @weft/tools bench:readouts`: causal attention N = 1024 (READOUTS_N) with every
// readout requested against the plain kernel (issue target: < 1.3×), in interleaved rounds.
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { measureInterleaved } from '@weft/zoo/runner';
import { benchGpu } from './bench-gpu.js';
import { readoutContenders } from './readouts/readout-contenders.js';

async function main(): Promise<number> {
  const sequence = Number(process.env.READOUTS_N ?? 1024);
  const repeats = Number(process.env.READOUTS_REPEATS ?? 20);
  const weft = await requestWeftDevice({ gpu: await benchGpu() });
  console.log(`Adapter: ${formatAdapter(weft.adapter)}; causal attention B=1 H=4 d=32 N=${sequence}`);
  const contenders = await readoutContenders(weft, sequence);
  // Warm-up: pipelines compiled, buffers allocated, first readback done.
  for (const contender of contenders) for (let i = 0; i < 2; i++) await contender.run();
  const results = await measureInterleaved(contenders, { repeats });
  const baseline = results[1];
  const baselineMs = baseline !== undefined && 'timing' in baseline ? baseline.timing.medianMs : undefined;
  console.log('contender | dispatches | median ms | ± MAD ms | min–max ms | runs | ratio to plain');
  for (const [index, contender] of contenders.entries()) {
    const result = results[index]!;
    if (!('timing' in result)) {
      console.log(`${contender.label} | ${contender.dispatches} | failed: ${String(result.error)}`);
      continue;
    }
    const { medianMs, madMs, minMs, maxMs, runs } = result.timing;
    const ratio = baselineMs === undefined ? 'n/a' : `${(medianMs / baselineMs).toFixed(2)}×`;
    console.log(
      `${contender.label} | ${contender.dispatches} | ${medianMs.toFixed(2)} | ${madMs.toFixed(2)} | ${minMs.toFixed(2)}–${maxMs.toFixed(2)} | ${runs} | ${ratio}`,
    );
  }
  for (const contender of contenders) contender.destroy();
  weft.destroy();
  return 0;
}

usePrivateRuntimeDir();
process.exit(await main());
