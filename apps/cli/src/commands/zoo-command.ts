import type { CAC } from 'cac';
import type { CliIo } from '../cli-io.js';

/** Registers `weft zoo`: lists the ready-made specs of published mechanisms. */
export function registerZooCommand(cli: CAC, io: CliIo): void {
  cli.command('zoo', 'List the ready-made model and attention specs').action(() => {
    io.out('weft zoo: no entries yet (the zoo package is not part of this build)');
  });
}
