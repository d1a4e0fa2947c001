import type { Program } from '@weft/runtime';
import { type BenchCase, once, type SystemFactory } from '../bench-case.js';
import { randomValues } from '../random-values.js';
import {
  type MobaShape,
  maskedAttentionReference,
  mobaSelectionReference,
} from '../reference/moba-reference.js';
import { type WeftCaseProgram, weftSystem, weftSystemGraph, withWeftGraph } from '../weft/weft-system.js';

const HEADS = 4;
const HEAD_DIM = 64;
/** Fraction of the key blocks each query keeps (its own included): the 12.5%. */
const KEPT_FRACTION = 1 / 8;

/**
 * Causal attention B=1, H=4, d=64 at N=`sequence` with MoBA's top-k block routing keeping 1/8 of the
 * key blocks, against Weft's dense causal kernel, for the paper's per-token routing (`moba`) and the
 * block-level one (`moba-block`, every query of a block shares its blocks). Systems: `weft-fused`,
 * the table build and the block-sparse attention in one program; `weft-dense-causal`, the dense
 * causal kernel on the same q, k, v; `weft-table-build`, the ops that build the block table alone
 * (its own program: uploads q and k, reads the table back). Blocks of 64 positions (128 from
 * N = 4096): multiples of the kernel's tiles on every adapter.
 */
export function blockSparseCases(sequence: number): BenchCase[] {
  return (['token', 'block'] as const).map((gate) => mobaCase(sequence, gate));
}

function mobaCase(sequence: number, gate: 'token' | 'block'): BenchCase {
  const blockSize = sequence >= 4096 ? 128 : 64;
  const blocks = sequence / blockSize;
  const topK = Math.max(1, Math.round(blocks * KEPT_FRACTION));
  const shape: MobaShape = { heads: HEADS, sequence, headDim: HEAD_DIM, blockSize, topK, gate };
  return {
    name: `attention-moba${gate === 'block' ? '-block' : ''}-n${sequence}`,
    group: 'block-sparse',
    description: `causal MHA B=1 H=${HEADS} N=${sequence} d=${HEAD_DIM}, MoBA ${gate} routing, top ${topK} of ${blocks} blocks of ${blockSize}`,
    referenceSystem: 'weft-dense-causal',
    setup({ weft }) {
      if (!Number.isInteger(blocks) || blocks < 8)
        throw new Error(
          `block-sparse bench: N = ${sequence} must be a multiple of ${blockSize}, at least ${8 * blockSize}`,
        );
      const count = HEADS * sequence * HEAD_DIM;
      const query = randomValues(count, 51);
      const key = randomValues(count, 52);
      const value = randomValues(count, 53);
      const selection = once(() => mobaSelectionReference(query, key, shape));
      const rows = gate === 'token' ? sequence : blocks;
      const kept = (h: number, i: number, j: number) =>
        j <= i &&
        selection()[
          (h * rows + (gate === 'token' ? i : Math.floor(i / blockSize))) * blocks + Math.floor(j / blockSize)
        ] === 1;
      const table = once(() => blockTableOf(selection(), shape));
      const build = (what: 'sparse' | 'dense' | 'table') => async (): Promise<WeftCaseProgram> => {
        const { input, makeGraph } = await import('@weft/ir');
        const { and, applyAttention, attention, causal, mobaBlockTables, mobaSelection } = await import(
          '@weft/attention'
        );
        const dims = [1, HEADS, sequence, HEAD_DIM];
        const [q, k, v] = [input('query', dims), input('key', dims), input('value', dims)];
        const options = { blockSize, topK, gate };
        if (what === 'table')
          return {
            graph: makeGraph({ table: mobaBlockTables(q, k, options).table }),
            inputs: { query, key },
          };
        // The sparse spec builds its block table inside applyAttention, from q and k.
        const mask = what === 'dense' ? causal() : and(causal(), mobaSelection(options));
        const spec = attention({ name: `moba-${what}`, heads: HEADS, headDim: HEAD_DIM, mask });
        const { output } = applyAttention(spec, { query: q, key: k, value: v });
        return { graph: makeGraph({ output }), inputs: { query, key, value } };
      };
      return {
        get reference() {
          return maskedAttentionReference(query, key, value, shape, kept);
        },
        systemReferences: {
          'weft-dense-causal': once(() =>
            maskedAttentionReference(query, key, value, shape, (_, i, j) => j <= i),
          ),
          'weft-table-build': table,
        },
        // The dense causal FLOPs for every system: GFLOP/s compare as the time ratios do.
        flops: (4 * HEADS * sequence * sequence * HEAD_DIM) / 2,
        systems: {
          'weft-fused': withNote(weftSystem(weft, true, build('sparse'), { note: buildShareNote }), () =>
            visitedNote(table(), shape),
          ),
          'weft-dense-causal': weftSystem(weft, true, build('dense')),
          'weft-table-build': weftSystem(weft, true, build('table')),
        },
      };
    },
  };
}

/** The block table `[heads, blocks, blocks]`: a query block keeps a key block where any of its queries does. */
function blockTableOf(selection: Float64Array, shape: MobaShape): Float64Array {
  const { heads, sequence, blockSize, gate } = shape;
  const blocks = sequence / blockSize;
  if (gate === 'block') return selection;
  const table = new Float64Array(heads * blocks * blocks);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < sequence; i++)
      for (let block = 0; block < blocks; block++)
        if (selection[(h * sequence + i) * blocks + block] === 1)
          table[(h * blocks + Math.floor(i / blockSize)) * blocks + block] = 1;
  return table;
}

/** `visits 23% of the causal blocks`: the share of the block pairs on or below the diagonal the table keeps. */
function visitedNote(table: Float64Array, shape: MobaShape): string {
  const blocks = shape.sequence / shape.blockSize;
  const kept = table.reduce((sum, entry) => sum + entry, 0);
  const causal = (shape.heads * blocks * (blocks + 1)) / 2;
  return `visits ${((100 * kept) / causal).toFixed(1)}% of the causal key blocks`;
}

/** Profiled runs of the sparse program whose per-kernel GPU times split build from attention. */
const PROFILED_RUNS = 3;

/**
 * `table build 4.1 ms GPU = 3.2% of attention`: the GPU time (timestamp queries, median of
 * {@link PROFILED_RUNS} profiled runs) of the kernels before the attention kernel, against the
 * attention kernel's.
 */
async function buildShareNote(program: Program, spec: WeftCaseProgram): Promise<string> {
  const builds: number[] = [];
  const attentions: number[] = [];
  for (let run = 0; run < PROFILED_RUNS; run++) {
    const profile = await program.profile(spec.inputs);
    if (!profile.gpuTimed) return 'no timestamp queries: build share not measured';
    const attention = profile.kernels.filter((kernel) => kernel.template === 'attention');
    const sum = (kernels: typeof profile.kernels) =>
      kernels.reduce((total, kernel) => total + kernel.gpuMs!, 0);
    attentions.push(sum(attention));
    builds.push(sum(profile.kernels) - sum(attention));
  }
  const [build, attention] = [median(builds), median(attentions)];
  return `table build ${build.toFixed(1)} ms GPU = ${((100 * build) / attention).toFixed(1)}% of the sparse attention kernel (${attention.toFixed(1)} ms)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `factory` with `note()` added to its system's note (and the same graph for replay). */
function withNote(factory: SystemFactory, note: () => string): SystemFactory {
  const noted: SystemFactory = async () => {
    const system = await factory();
    return { ...system, note: [system.note, note()].filter(Boolean).join('; ') };
  };
  return withWeftGraph(noted, () => weftSystemGraph(factory)!);
}
