import { WeftError } from '@weft/ir';
import { cac } from 'cac';
import type { CliIo } from './cli-io.js';
import { registerBenchCommand } from './commands/bench-command.js';
import { registerPlanCommand } from './commands/plan-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerZooCommand } from './commands/zoo-command.js';
import { EXIT } from './exit-codes.js';
import { joinNegativeOptionValues } from './negative-option-values.js';
import { markOptionValues, unmarkOptionValues } from './option-text.js';
import { unknownCommandMessage, withOptionSuggestion } from './suggest-names.js';

/** The version `weft --version` prints. */
export const CLI_VERSION = '0.1.0';

/**
 * Runs the `weft` command line on `args` (without the node and script paths) and returns the
 * exit code: 0 on success, 1 for invalid input (with the error's message, which gives JSON paths
 * and tensor names), 2 for a wrong command line.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const cli = cac('weft');
  registerPlanCommand(cli, io);
  registerRunCommand(cli, io);
  registerBenchCommand(cli, io);
  registerZooCommand(cli, io);
  cli.help();
  cli.version(CLI_VERSION);
  try {
    cli.parse(['node', 'weft', ...markOptionValues(cli, joinNegativeOptionValues(cli, args))], {
      run: false,
    });
    unmarkOptionValues(cli.options);
    if (cli.options.help === true || cli.options.version === true) return EXIT.ok;
    if (cli.matchedCommand === undefined) {
      const given = args[0];
      io.err(
        given === undefined
          ? 'weft: no command given'
          : given.startsWith('-')
            ? `weft: ${withOptionSuggestion(cli, `Unknown option \`${given.split('=')[0]}\``)}`
            : unknownCommandMessage(cli, given),
      );
      io.err('Run `weft --help` for the commands.');
      return EXIT.usage;
    }
    await cli.runMatchedCommand();
    return EXIT.ok;
  } catch (error) {
    // A wrong command line of a runner behind a subcommand (`weft zoo --runs 3`).
    if (WeftError.isInstance(error) && error.code === 'usage') {
      io.err(namingTheCommand(error.message, 'weft: '));
      return EXIT.usage;
    }
    if (WeftError.isInstance(error)) {
      io.err(namingTheCommand(error.message, 'weft: error: '));
      return EXIT.invalidInput;
    }
    if (error instanceof Error && error.name === 'CACError') {
      io.err(`weft: ${withOptionSuggestion(cli, error.message)}`);
      io.err('Run `weft --help` for usage.');
      return EXIT.usage;
    }
    io.err(
      `weft: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT.internal;
  }
}

/** `message` after `prefix`, unless the message names the command itself (`weft zoo: --runs …`). */
function namingTheCommand(message: string, prefix: string): string {
  return message.startsWith('weft ') ? message : `${prefix}${message}`;
}
