import type { DeviceCaseKind } from './fuzz-case.js';

export const FUZZ_USAGE = `Usage: pnpm fuzz [--cases N] [--seed S] [--invalid N] [--only attention|norm|model] [--replay SEED] [--json FILE]

  --cases N      device cases: random attention specs, norm layers and tiny models run on WebGPU
                 against the float64 reference (default 100; 0 skips the device)
  --seed S       run seed (default 1); case i draws from a seed derived from (S, i)
  --invalid N    invalid-spec cases (junk JSON model specs and attention options; default 1000)
  --only KIND    device cases of one kind
  --replay SEED  run the one device case drawn from SEED (the seed printed with a failure)
  --minutes M    start no new device case after M minutes (then report what ran)
  --json FILE    write every result as JSON`;

export class FuzzUsageError extends Error {}

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  readonly invalid: number;
  readonly only: DeviceCaseKind | undefined;
  readonly replay: number | undefined;
  readonly json: string | undefined;
  readonly minutes: number | undefined;
  readonly help: boolean;
}

export function parseFuzzOptions(argv: readonly string[]): FuzzOptions {
  const options = {
    cases: 100,
    seed: 1,
    invalid: 1000,
    only: undefined as DeviceCaseKind | undefined,
    replay: undefined as number | undefined,
    json: undefined as string | undefined,
    minutes: undefined as number | undefined,
    help: false,
  };
  const integer = (flag: string, text: string | undefined) => {
    const value = Number(text);
    if (text === undefined || !Number.isSafeInteger(value) || value < 0)
      throw new FuzzUsageError(`${flag} needs a non-negative integer, got ${text ?? 'nothing'}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--') continue;
    if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag === '--cases') options.cases = integer(flag, argv[++i]);
    else if (flag === '--seed') options.seed = integer(flag, argv[++i]);
    else if (flag === '--invalid') options.invalid = integer(flag, argv[++i]);
    else if (flag === '--replay') options.replay = integer(flag, argv[++i]);
    else if (flag === '--minutes') options.minutes = integer(flag, argv[++i]);
    else if (flag === '--json') {
      const file = argv[++i];
      if (file === undefined) throw new FuzzUsageError('--json needs a file name');
      options.json = file;
    } else if (flag === '--only') {
      const kind = argv[++i];
      if (kind !== 'attention' && kind !== 'norm' && kind !== 'model')
        throw new FuzzUsageError(`--only takes attention, norm or model, got ${kind ?? 'nothing'}`);
      options.only = kind;
    } else throw new FuzzUsageError(`unknown option ${flag}`);
  }
  return options;
}
