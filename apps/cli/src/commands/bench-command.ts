import { writeFile } from 'node:fs/promises';
import { formatTable } from '@weft/ir';
import { type CompiledModel, compileModel, isArchitectureSpec } from '@weft/models';
import { startProgress } from '@weft/zoo/cli';
import type { CAC } from 'cac';
import { resolveSpecPath } from '../bundled-examples.js';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import { loadSpecFile } from '../load-spec-file.js';
import { benchArchitecture } from './bench-architecture.js';
import { formatBenchTime, timeVariants, VARIANTS } from './bench-variants.js';
import { checkBenchOptions } from './check-command-options.js';
import {
  checkPrecisionFlags,
  describePrecision,
  deviceForPrecision,
  type PrecisionFlags,
  withPrecisionOptions,
} from './precision-option.js';

/** Options of `weft bench`. */
export interface BenchOptions extends PrecisionFlags {
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
  /** Spread of the prefill times: median absolute deviation, in ms. */
  readonly prefillMadMs: number;
  /** Median time of one decode step in ms. */
  readonly decodeMs: number;
  /** Spread of the decode-step times: median absolute deviation, in ms. */
  readonly decodeMadMs: number;
  /** Timed runs behind each median. */
  readonly runs: number;
  /** Dispatches of one decode step. */
  readonly dispatchesPerToken: number;
  /** Bytes of the decoder program's arena. */
  readonly arenaBytes: number;
}

/**
 * Registers `weft bench <spec.json>`: compiles the model fused and unfused (one kernel per op)
 * with seeded weights, and times prefill and one decode step of both, interleaved round by round
 * (median, spread and run count; statistics by tinybench), with dispatches per token and arena
 * bytes, and the progress on stderr (for the encoder, ViT, DiT and encoder–decoder kinds: the forward pass, see
 * `benchArchitecture`). Kernel-level comparisons against other WebGPU runtimes are `pnpm bench`.
 */
export function registerBenchCommand(cli: CAC, io: CliIo): void {
  const command = cli.command(
    'bench <spec>',
    'Benchmark a model (JSON spec or Hugging Face model directory): prefill and decode, fused vs one kernel per op',
  );
  withPrecisionOptions(command)
    .option('--prompt <n>', 'Prompt length of the prefill (n ≥ 1)', { default: 8 })
    .option('--repeats <n>', 'Timed repetitions after one warm-up (n ≥ 1)', { default: 5 })
    .option('--device <device>', 'auto (WebGPU when an adapter exists, else the CPU) or cpu', {
      default: 'auto',
    })
    .option('--json <file>', 'Write the results as JSON to this file')
    .example('weft bench examples/tiny-decoder.json --repeats 3')
    .example('weft bench examples/bert-encoder.json')
    .action(async (givenPath: string, givenOptions: BenchOptions) => {
      const options = checkBenchOptions(givenOptions);
      const precision = checkPrecisionFlags(options);
      const specPath = await resolveSpecPath(givenPath, io);
      const spec = await loadSpecFile(specPath);
      const { device, fallbackReason } = await deviceForPrecision(
        options.device === 'cpu' ? 'cpu' : 'auto',
        precision,
      );
      const target = { device, ...precision, ...(fallbackReason === undefined ? {} : { fallbackReason }) };
      if (isArchitectureSpec(spec)) return benchArchitecture(specPath, spec, options, target, io);
      const promptLength = Math.min(Number(options.prompt ?? 8), spec.config.maxSeq - 1);
      const repeats = Math.max(1, Number(options.repeats ?? 5));
      const prompt = Array.from(
        { length: promptLength },
        (_, index) => (index * 7 + 1) % spec.config.vocabSize,
      );
      const shown = startProgress({
        label: 'bench',
        total: VARIANTS.length * (1 + 2 * repeats),
        unit: 'steps',
        ...(io.progress === undefined ? {} : { stream: io.progress }),
      });
      const models: CompiledModel[] = [];
      const results: ModelBenchResult[] = [];
      try {
        for (const variant of VARIANTS) {
          models.push(
            await compileModel(spec, {
              ...target,
              seed: 0,
              fuse: variant === 'fused',
            }),
          );
          shown.update(models.length, `compiled ${variant}`);
        }
        let done = models.length;
        const step = (phase: string) => () => shown.update(++done, phase);
        const prefill = await timeVariants(
          models.map((model) => () => model.step(prompt, 0)),
          repeats,
          step('prefill'),
        );
        const decode = await timeVariants(
          models.map((model) => () => model.step([prompt[0]!], promptLength)),
          repeats,
          step('decode'),
        );
        shown.finish();
        for (const [index, model] of models.entries()) {
          results.push({
            variant: VARIANTS[index]!,
            backend: model.backend,
            prefillMs: prefill[index]!.medianMs,
            prefillMadMs: prefill[index]!.madMs,
            decodeMs: decode[index]!.medianMs,
            decodeMadMs: decode[index]!.madMs,
            runs: prefill[index]!.runs,
            dispatchesPerToken: model.decoder.stats.dispatchesPerRun,
            arenaBytes: model.decoder.stats.arenaBytes,
          });
        }
      } finally {
        shown.stop();
        for (const model of models) model.destroy();
      }
      io.out(
        `model: ${specPath}, prompt ${promptLength} tokens, ${describePrecision(precision)}; median ± MAD of ${repeats} runs after a warm-up, fused and unfused interleaved`,
      );
      io.out(
        formatTable(
          results.map((row) => [
            row.variant,
            row.backend,
            formatBenchTime({ medianMs: row.prefillMs, madMs: row.prefillMadMs, runs: row.runs }),
            formatBenchTime({ medianMs: row.decodeMs, madMs: row.decodeMadMs, runs: row.runs }),
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
