import { DEMO_SPEC } from '../demo/demo-spec.js';
import type { BenchCase } from './bench-case.js';
import { attentionCases } from './cases/attention-cases.js';
import { attentionRopeQkNormCases } from './cases/attention-rope-qknorm-cases.js';
import { blockSparseCases } from './cases/block-sparse-cases.js';
import { decoderLmCases } from './cases/decoder-lm-cases.js';
import { elementwiseChainCase } from './cases/elementwise-chain-case.js';
import { layerNormCase } from './cases/layer-norm-case.js';
import { matmulCases } from './cases/matmul-cases.js';
import { topThetaCases } from './cases/top-theta-cases.js';
import { transformerBlockCase } from './cases/transformer-block-case.js';
import { COMPILE_TIME_CASE } from './compile-time.js';

/** Every benchmark case, at full or `--quick` sizes, in the order they run. */
export function benchCases(options: {
  readonly quick: boolean;
  /** N of the block-sparse cases (default 4096, 1024 with `quick`). */
  readonly blockSparseN?: number;
}): BenchCase[] {
  const { quick } = options;
  return [
    ...matmulCases(quick ? [64, 128, 256] : [64, 128, 256, 512]),
    elementwiseChainCase(512, 512),
    layerNormCase(512, 256),
    ...attentionCases(quick ? [128] : [128, 512]),
    ...attentionRopeQkNormCases([64, 128, 256, 512]),
    ...blockSparseCases(options.blockSparseN ?? (quick ? 1024 : 4096)),
    ...topThetaCases(quick ? 512 : 1024),
    transformerBlockCase({ tokens: 128, width: 128, heads: 4 }),
    ...decoderLmCases({ spec: DEMO_SPEC, promptLength: 32 }),
  ];
}

/** The cases `only` selects by name or group (all when `only` is empty); unknown names throw. */
export function selectCases(cases: readonly BenchCase[], only: readonly string[]): BenchCase[] {
  if (only.length === 0) return [...cases];
  const known = new Set(cases.flatMap((benchCase) => [benchCase.name, benchCase.group]));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return cases.filter((benchCase) => only.includes(benchCase.name) || only.includes(benchCase.group));
}

/**
 * What `only` selects for a run (Node or the browser page): the timed cases, and whether the
 * compile-time case, which runs apart from them, runs too. Unknown names throw.
 */
export function selectBenchWork(options: {
  readonly quick: boolean;
  readonly only: readonly string[];
  readonly blockSparseN?: number | undefined;
}): { readonly cases: BenchCase[]; readonly compileTime: boolean } {
  const { only } = options;
  const compileTimeOnly = only.length > 0 && only.every((name) => name === COMPILE_TIME_CASE);
  const cases = compileTimeOnly
    ? []
    : selectCases(
        benchCases({
          quick: options.quick,
          ...(options.blockSparseN === undefined ? {} : { blockSparseN: options.blockSparseN }),
        }),
        only.filter((name) => name !== COMPILE_TIME_CASE),
      );
  return { cases, compileTime: only.length === 0 || only.includes(COMPILE_TIME_CASE) };
}
