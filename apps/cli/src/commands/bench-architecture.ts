import { writeFile } from 'node:fs/promises';
import { formatTable } from '@weft/ir';
import {
  type ArchitectureSpec,
  type CompileArchitectureOptions,
  type CompiledArchitecture,
  compileArchitecture,
} from '@weft/models';
import { startProgress } from '@weft/zoo/cli';
import { architectureInputs } from '../architecture-inputs.js';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import type { BenchOptions } from './bench-command.js';
import { formatBenchTime, timeVariants, VARIANTS } from './bench-variants.js';
import { describePrecision } from './precision-option.js';

/** One row of `weft bench`'s results for an architecture spec. */
export interface ArchitectureBenchResult {
  /** `fused` or `unfused`. */
  readonly variant: string;
  /** Where it ran. */
  readonly backend: string;
  /** Median time of one forward pass in ms. */
  readonly forwardMs: number;
  /** Spread of the forward times: median absolute deviation, in ms. */
  readonly forwardMadMs: number;
  /** Timed runs behind the median. */
  readonly runs: number;
  /** Dispatches of one forward pass. */
  readonly dispatchesPerForward: number;
  /** Bytes of the program's arena. */
  readonly arenaBytes: number;
}

/**
 * `weft bench` for an architecture spec: compiles its forward program fused and unfused (one
 * kernel per op) with seeded weights, and times the forward pass of both, interleaved round by
 * round (median, spread and run count; statistics by tinybench), on the inputs
 * `weft run` feeds it (an encoder–decoder: the source and the decoder start token), with
 * dispatches per forward and arena bytes. `--prompt` sets the token count of the encoder kinds.
 */
export async function benchArchitecture(
  specPath: string,
  spec: ArchitectureSpec,
  options: BenchOptions,
  target: Pick<CompileArchitectureOptions, 'device' | 'precision' | 'halfStorage' | 'fallbackReason'>,
  io: CliIo,
): Promise<void> {
  const repeats = Number(options.repeats ?? 5);
  const max =
    spec.kind === 'encoder'
      ? spec.config.maxSeq
      : spec.kind === 'encoder-decoder'
        ? spec.config.maxSourceSeq
        : 0;
  const length = Math.min(Number(options.prompt ?? 8), max);
  const vocab =
    spec.kind === 'encoder'
      ? spec.config.vocabSize
      : spec.kind === 'encoder-decoder'
        ? spec.config.sourceVocabSize
        : 0;
  const tokens = max === 0 ? undefined : Array.from({ length }, (_, index) => (index * 7 + 1) % vocab);
  const inputs = architectureInputs(spec, { seed: 0, ...(tokens === undefined ? {} : { tokens }) });
  const shown = startProgress({
    label: 'bench',
    total: VARIANTS.length * (1 + repeats),
    unit: 'steps',
    ...(io.progress === undefined ? {} : { stream: io.progress }),
  });
  const compiled: CompiledArchitecture[] = [];
  let results: ArchitectureBenchResult[];
  try {
    for (const variant of VARIANTS) {
      compiled.push(
        await compileArchitecture(spec, {
          ...target,
          seed: 0,
          batch: inputs.batch,
          fuse: variant === 'fused',
        }),
      );
      shown.update(compiled.length, `compiled ${variant}`);
    }
    let done = compiled.length;
    const forward = await timeVariants(
      compiled.map(
        ({ program }) =>
          () =>
            program.run(inputs.feeds, { dims: inputs.dims }),
      ),
      repeats,
      () => shown.update(++done, 'forward'),
    );
    shown.finish();
    results = compiled.map(({ program }, index) => ({
      variant: VARIANTS[index]!,
      backend: program.backend,
      forwardMs: forward[index]!.medianMs,
      forwardMadMs: forward[index]!.madMs,
      runs: forward[index]!.runs,
      dispatchesPerForward: program.stats.dispatchesPerRun,
      arenaBytes: program.stats.arenaBytes,
    }));
  } finally {
    shown.stop();
    for (const { program } of compiled) program.destroy();
  }
  io.out(
    `model: ${specPath} (${spec.kind}), batch ${inputs.batch}, ${describePrecision(target)}; median ± MAD of ${repeats} runs after a warm-up, fused and unfused interleaved`,
  );
  for (const line of inputs.lines) io.out(`  ${line}`);
  io.out(
    formatTable(
      results.map((row) => [
        row.variant,
        row.backend,
        formatBenchTime({ medianMs: row.forwardMs, madMs: row.forwardMadMs, runs: row.runs }),
        String(row.dispatchesPerForward),
        formatBytes(row.arenaBytes),
      ]),
      {
        header: ['variant', 'backend', 'forward ms', 'dispatches/forward', 'arena'],
        align: ['left', 'left', 'right', 'right', 'right'],
        rule: false,
      },
    ),
  );
  const [fused, unfused] = results as [ArchitectureBenchResult, ArchitectureBenchResult];
  io.out(`fused vs unfused: forward ${(unfused.forwardMs / fused.forwardMs).toFixed(2)}x`);
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(results, null, 2)}\n`);
}
