// `pnpm --filter @weft/tools bench:linear [--long]`: causal linear attention (ELU+1 with the
// denominator, Lightning's decay) against Weft's causal softmax flash kernel at N = 512, 2048
// (and 8192 with --long), B = 1, H = 4, d = 64; chunked against the quadratic form at N = 2048;
// one decode step at past = 128 and 8192; log-linear attention's fused chunk sweep against its IR
// chunked form and its quadratic form at the same lengths (quadratic up to 2048).
// Interleaved rounds, medians, ratios beside the targets.
import { formatAdapter, requestWeftDevice } from '@weft/runtime';
import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { measureInterleaved } from '@weft/zoo/runner';
import { benchGpu } from './bench-gpu.js';
import { linearBenchContenders } from './linear-attention/linear-attention-contenders.js';
import { formatLinearBenchTable } from './linear-attention/linear-attention-table.js';
import { logLinearBenchContenders } from './linear-attention/log-linear-contenders.js';

async function main(): Promise<number> {
  const long = process.argv.includes('--long');
  const repeats = Number(process.env.LINEAR_BENCH_REPEATS ?? 10);
  const weft = await requestWeftDevice({ gpu: await benchGpu() });
  console.log(`Adapter: ${formatAdapter(weft.adapter)}`);
  // LINEAR_BENCH_LENGTHS (comma-separated) and LINEAR_BENCH_QUADRATIC shrink a smoke run.
  const lengths =
    process.env.LINEAR_BENCH_LENGTHS?.split(',').map(Number) ?? (long ? [512, 2048, 8192] : [512, 2048]);
  // LINEAR_BENCH_ONLY=linear or =log-linear runs one of the two groups.
  const only = process.env.LINEAR_BENCH_ONLY;
  const linear =
    only === 'log-linear'
      ? { contenders: [], ratios: [] }
      : await linearBenchContenders(weft, {
          lengths,
          pasts: [128, Number(process.env.LINEAR_BENCH_LONG_PAST ?? 8192)],
          quadraticLength: Number(process.env.LINEAR_BENCH_QUADRATIC ?? 2048),
        });
  const logLinear =
    only === 'linear' ? { contenders: [], ratios: [] } : await logLinearBenchContenders(weft, lengths);
  const contenders = [...linear.contenders, ...logLinear.contenders];
  const ratios = [...linear.ratios, ...logLinear.ratios];
  // Warm-up: pipelines compiled, buffers allocated, first readback done.
  for (const contender of contenders) await contender.run();
  const results = await measureInterleaved(contenders, {
    repeats,
    budgetMs: Number(process.env.LINEAR_BENCH_BUDGET_MS ?? 60_000),
  });
  console.log(formatLinearBenchTable(contenders, results, ratios));
  for (const contender of contenders) contender.destroy();
  weft.destroy();
  return 0;
}

usePrivateRuntimeDir();
process.exit(await main());
