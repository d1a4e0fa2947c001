import { writeFile } from 'node:fs/promises';
import { formatTable } from '@weft/ir';
import { compileModel, isArchitectureSpec } from '@weft/models';
import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import { loadSpecFile } from '../load-spec-file.js';
import { benchArchitecture } from './bench-architecture.js';
import { checkBenchOptions } from './check-command-options.js';
import { medianMs } from './median-time.js';

/** Options of `weft bench`. */
export interface BenchOptions {
  /** Prompt length of the prefill measurement. */
  readonly prompt?: number;
  /** Timed repetitions (after one warm-up). */
  readonly repeats?: number;
  /** `auto` (WebGPU, else the CPU) or `cpu`. */
  readonly device?: string;
  /** Write the results as JSON to this file. */
  readonly json?: string;
}

/** One row of `weft bench`'s results. */
export interface ModelBenchResult {
  /** `fused` or `unfused`. */
  readonly variant: string;
  /** Where it ran. */
  readonly backend: string;
  /** Median prefill time in ms. */
  readonly prefillMs: number;
  /** Median time of one decode step in ms. */
  readonly decodeMs: number;
  /** Dispatches of one decode step. */
  readonly dispatchesPerToken: number;
  /** Bytes of the decoder program's arena. */
  readonly arenaBytes: number;
}

/**
 * Registers `weft bench <spec.json>`: compiles the model fused and unfused (one kernel per op)
 * with seeded weights, and measures the median prefill and decode-step times, dispatches per token
 * and arena bytes (for the encoder, ViT, DiT and encoder–decoder kinds: the forward pass, see
 * `benchArchitecture`). Kernel-level comparisons against other WebGPU runtimes are `pnpm bench`.
 */
export function registerBenchCommand(cli: CAC, io: CliIo): void {
  cli
    .command(
      'bench <spec>',
      'Benchmark a model (JSON spec or Hugging Face model directory): prefill and decode, fused vs one kernel per op',
    )
    .option('--prompt <n>', 'Prompt length of the prefill (n ≥ 1)', { default: 8 })
    .option('--repeats <n>', 'Timed repetitions after one warm-up (n ≥ 1)', { default: 5 })
    .option('--device <device>', 'auto (WebGPU when an adapter exists, else the CPU) or cpu', {
      default: 'auto',
    })
    .option('--json <file>', 'Write the results as JSON to this file')
    .example('weft bench examples/tiny-decoder.json --repeats 3')
    .example('weft bench examples/bert-encoder.json')
    .action(async (specPath: string, givenOptions: BenchOptions) => {
      const options = checkBenchOptions(givenOptions);
      const spec = await loadSpecFile(specPath);
      if (isArchitectureSpec(spec)) return benchArchitecture(specPath, spec, options, io);
      const promptLength = Math.min(Number(options.prompt ?? 8), spec.config.maxSeq - 1);
      const repeats = Math.max(1, Number(options.repeats ?? 5));
      const prompt = Array.from(
        { length: promptLength },
        (_, index) => (index * 7 + 1) % spec.config.vocabSize,
      );
      const results: ModelBenchResult[] = [];
      for (const fuse of [true, false]) {
        const model = await compileModel(spec, {
          device: options.device === 'cpu' ? 'cpu' : 'auto',
          seed: 0,
          fuse,
        });
        try {
          const prefill = await medianMs(repeats, () => model.step(prompt, 0));
          const decode = await medianMs(repeats, () => model.step([prompt[0]!], promptLength));
          results.push({
            variant: fuse ? 'fused' : 'unfused',
            backend: model.backend,
            prefillMs: prefill,
            decodeMs: decode,
            dispatchesPerToken: model.decoder.stats.dispatchesPerRun,
            arenaBytes: model.decoder.stats.arenaBytes,
          });
        } finally {
          model.destroy();
        }
      }
      io.out(`model: ${specPath}, prompt ${promptLength} tokens, median of ${repeats} runs after a warm-up`);
      io.out(
        formatTable(
          results.map((row) => [
            row.variant,
            row.backend,
            row.prefillMs.toFixed(1),
            row.decodeMs.toFixed(1),
            String(row.dispatchesPerToken),
            formatBytes(row.arenaBytes),
          ]),
          {
            header: ['variant', 'backend', 'prefill ms', 'decode ms/token', 'dispatches/token', 'arena'],
            align: ['left', 'left', 'right', 'right', 'right'],
            rule: false,
          },
        ),
      );
      const [fused, unfused] = results as [ModelBenchResult, ModelBenchResult];
      io.out(
        `fused vs unfused: prefill ${(unfused.prefillMs / fused.prefillMs).toFixed(2)}x, decode ${(unfused.decodeMs / fused.decodeMs).toFixed(2)}x`,
      );
      if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(results, null, 2)}\n`);
    });
}
