import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';

/** Registers `weft bench`: the benchmark entry point. */
export function registerBenchCommand(cli: CAC, io: CliIo): void {
  cli
    .command('bench', 'Benchmark fused vs unfused kernels and other WebGPU runtimes')
    .option('--json <file>', 'Write all results as JSON to this file')
    .action(() => {
      io.out(
        'weft bench: model benchmarks arrive with model compilation; run `pnpm bench` for the kernel benchmarks',
      );
    });
}
