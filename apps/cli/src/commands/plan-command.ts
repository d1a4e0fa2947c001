import { modelSpecToJSON } from '@weft/models';
import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';
import { loadSpecFile } from '../load-spec-file.js';
import { summarizeSpec } from '../spec-summary.js';

/** Options of `weft plan`. */
export interface PlanOptions {
  /** Print the validated spec as normalized JSON (defaults written out) instead of the summary. */
  readonly json?: boolean;
}

/** Registers `weft plan <spec.json>`: validates a spec and prints what it declares. */
export function registerPlanCommand(cli: CAC, io: CliIo): void {
  cli
    .command('plan <spec>', 'Validate a model spec (JSON) and print its plan')
    .option('--json', 'Print the validated spec as normalized JSON, defaults filled in')
    .example('weft plan examples/small-decoder.json')
    .action(async (specPath: string, options: PlanOptions) => {
      const spec = await loadSpecFile(specPath);
      if (options.json === true) {
        io.out(modelSpecToJSON(spec).trimEnd());
        return;
      }
      io.out(`spec ${specPath}: valid`);
      for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
      io.out('kernel plan: not available yet (model compilation arrives with the model blocks)');
    });
}
