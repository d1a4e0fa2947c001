// `pnpm --filter @weft/tools bench:long-decode`: one decode step at past = 4096 with a 512-token
// rolling window against past = 512 (issue target: within 1.2×), in interleaved rounds; then
// Landmark Attention's retrieval decode step (attention level) at the same two pasts.
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { measureInterleaved } from '@weft/zoo/runner';
import { benchGpu } from './bench-gpu.js';
import { landmarkDecodeContenders } from './long-decode/landmark-decode-contenders.js';
import { longDecodeContenders } from './long-decode/long-decode-contenders.js';
import { formatLongDecodeTable } from './long-decode/long-decode-table.js';

async function main(): Promise<number> {
  const repeats = Number(process.env.LONG_DECODE_REPEATS ?? 30);
  const weft = await requestWeftDevice({ gpu: await benchGpu() });
  console.log(`Adapter: ${formatAdapter(weft.adapter)}`);
  const pasts = { longPast: 4096, window: 512 };
  // LONG_DECODE_ONLY=landmark runs the landmark contenders alone.
  const builds =
    process.env.LONG_DECODE_ONLY === 'landmark'
      ? [landmarkDecodeContenders]
      : [longDecodeContenders, landmarkDecodeContenders];
  for (const build of builds) {
    const contenders = await build(weft, pasts);
    // Warm-up: pipelines compiled, buffers allocated, first readback done.
    for (const contender of contenders) for (let i = 0; i < 3; i++) await contender.run();
    const results = await measureInterleaved(contenders, { repeats });
    console.log(formatLongDecodeTable(contenders, results));
    if (process.env.LONG_DECODE_KERNELS !== undefined) {
      for (const contender of contenders)
        console.log(`${contender.label}:\n  ${contender.kernels.join('\n  ')}`);
    }
    for (const contender of contenders) contender.destroy();
  }
  weft.destroy();
  return 0;
}

usePrivateRuntimeDir();
process.exit(await main());
