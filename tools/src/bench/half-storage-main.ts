// `pnpm --filter @weft/tools bench:half-storage`: one transformer block (RMSNorm, GQA attention,
// SwiGLU) at precision 'f16-emulated' with f32 storage against the same block with f16 storage
// (intermediates and weights two to a u32 word, stored through atomics), and at precision 'f32'
// for scale, on the same device in interleaved rounds. Decides whether f16-emulated turns f16
// storage on by default (`defaultHalfStorage` in @weft/runtime). Each contender's output is
// checked against float64 first, on inputs and weights rounded to f16.
import { attention } from '@weft/attention/kernels';
import { graphNodes, input, interpret, makeGraph, roundToDType, symbolicDim } from '@weft/ir';
import { transformerBlock } from '@weft/models';
import { compile, formatAdapter, type Program, requestWeftDevice } from '@weft/runtime';
import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { measureInterleaved } from '@weft/zoo/runner';
import { benchGpu } from './bench-gpu.js';
import { printContenderTable } from './contender-table.js';
import { maxRelativeError } from './max-relative-error.js';
import { randomValues } from './random-values.js';

/** Values rounded to f16, as the f16 tier's tests feed them: the error is then the kernels' own. */
const toF16 = (values: Float32Array) => values.map((value) => roundToDType(value, 'f16'));

async function main(): Promise<number> {
  const tokens = Number(process.env.HALF_STORAGE_TOKENS ?? 64);
  const width = Number(process.env.HALF_STORAGE_WIDTH ?? 128);
  const repeats = Number(process.env.HALF_STORAGE_REPEATS ?? 15);
  const weft = await requestWeftDevice({ gpu: await benchGpu() });
  const seq = symbolicDim('seq', { max: tokens });
  const block = transformerBlock(
    input('x', [1, seq, width]),
    {
      attention: { heads: 4, kvHeads: 2, headDim: width / 4 },
      mlp: { kind: 'swiglu', hidden: 2 * width },
      norm: { kind: 'rmsnorm', eps: 1e-6 },
    },
    'layers.0',
  );
  const graph = makeGraph({ y: block.output });
  console.log(
    `Adapter: ${formatAdapter(weft.adapter)}; transformer block, ${tokens} tokens, width ${width}, fused`,
  );
  const params: Record<string, Float32Array> = {};
  for (const [index, node] of graphNodes(graph).entries()) {
    if (node.op !== 'param') continue;
    const count = node.shape.reduce<number>((product, dim) => product * Number(dim), 1);
    params[String(node.attrs.name)] = toF16(randomValues(count, 100 + index, -0.3, 0.3));
  }
  const x = toF16(randomValues(tokens * width, 7, -1, 1));
  const dims = { seq: tokens };
  const exact = interpret(graph, {
    inputs: { x: { dtype: 'f32', shape: [1, tokens, width], data: Float64Array.from(x) } },
    params: Object.fromEntries(
      Object.entries(params).map(([name, data]) => [
        name,
        { dtype: 'f32' as const, shape: [data.length], data: Float64Array.from(data) },
      ]),
    ),
    dims,
  }).y!.data;
  const options = { device: weft, params, extensions: [attention] } as const;
  const contenders: { label: string; program: Program }[] = [
    {
      label: 'f16-emulated, f32 storage',
      program: await compile(graph, { ...options, precision: 'f16-emulated', halfStorage: false }),
    },
    {
      label: 'f16-emulated, f16 storage',
      program: await compile(graph, { ...options, precision: 'f16-emulated', halfStorage: true }),
    },
    { label: 'f32', program: await compile(graph, options) },
  ];
  for (const { label, program } of contenders) {
    const { y } = await program.run({ x }, { dims });
    const bytes = [...program.memory.slots.values()].reduce((sum, slot) => sum + slot.bytes, 0);
    console.log(
      `${label}: max relative error vs float64 ${maxRelativeError(y!.data, exact).toExponential(2)}; ` +
        `${program.kernels.length} kernels; ${bytes} B of tensors`,
    );
    await program.run({ x }, { dims });
  }
  const results = await measureInterleaved(
    contenders.map(({ program }) => ({ run: () => program.run({ x }, { dims }) })),
    { repeats },
  );
  printContenderTable(
    contenders.map(({ label }) => label),
    results,
    0,
    'f16-emulated with f32 storage',
  );
  for (const { program } of contenders) program.destroy();
  weft.destroy();
  return 0;
}

usePrivateRuntimeDir();
process.exit(await main());
