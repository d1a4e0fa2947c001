import { WeftError } from '@weft/ir';
import { runZoo } from '@weft/zoo/cli';
import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';

/** Options of `weft zoo`, passed on to the zoo runner. */
export interface ZooOptions {
  /** Comma-separated ids or mechanisms to run. */
  readonly only?: string;
  /** Write the table as JSON to this file. */
  readonly json?: string;
  /** Timed runs per entry. */
  readonly runs?: number;
  /** Warm-up runs per entry. */
  readonly warmup?: number;
  /** Use the CPU reference backend. */
  readonly cpu?: boolean;
  /** Measure the f32 error budget instead of timing. */
  readonly budget?: boolean;
}

/**
 * Registers `weft zoo`: runs every ready-made catalog mechanism of `@weft/zoo` on the available
 * device and prints mechanism, paper, kernels, error vs float64, median ms and its spread, with
 * the progress per entry on stderr.
 */
export function registerZooCommand(cli: CAC, io: CliIo): void {
  cli
    .command('zoo', 'Run every catalog mechanism of the zoo and print kernels, error vs float64 and timings')
    .option('--only <ids>', 'Comma-separated entry ids or mechanisms')
    .option('--json <file>', 'Write the table as JSON to this file')
    .option('--runs <n>', 'Timed runs per entry')
    .option('--warmup <n>', 'Warm-up runs per entry')
    .option('--cpu', 'Run on the CPU reference backend')
    .option(
      '--budget',
      'Measure the f32 error budget: kernel error vs twice the f32 CPU evaluation, per input class',
    )
    .action(async (options: ZooOptions) => {
      const argv = [
        ...(options.only === undefined ? [] : ['--only', String(options.only)]),
        ...(options.json === undefined ? [] : ['--json', options.json]),
        ...(options.runs === undefined ? [] : ['--runs', String(options.runs)]),
        ...(options.warmup === undefined ? [] : ['--warmup', String(options.warmup)]),
        ...(options.cpu === true ? ['--cpu'] : []),
        ...(options.budget === true ? ['--budget'] : []),
      ];
      if (
        (await runZoo(argv, {
          command: 'weft zoo',
          ...(io.progress === undefined ? {} : { progress: io.progress }),
        })) !== 0
      ) {
        throw new WeftError(
          'zoo-tolerance',
          options.budget === true
            ? 'some zoo entries exceed the f32 error budget and are not known exceptions (see the table)'
            : 'some zoo entries exceed their error tolerance (see the table)',
        );
      }
    });
}
