// `pnpm --filter @weft/tools bench:subgroups`: the fused LayerNorm kernel's row statistics combined
// by subgroup operations against the workgroup-memory tree, one workgroup per row on the same
// device, in interleaved rounds; and the one-invocation-per-row kernel that software adapters get
// by default. Each contender's output is checked against float64 first.
import { input, makeGraph } from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { compile, formatAdapter, type Program, requestWeftDevice, type WeftDevice } from '@weft/runtime';
import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { measureInterleaved } from '@weft/zoo/runner';
import { benchGpu } from './bench-gpu.js';
import { printContenderTable } from './contender-table.js';
import { maxRelativeError } from './max-relative-error.js';
import { randomValues } from './random-values.js';
import { layerNormReference } from './reference/layer-norm-reference.js';

const EPSILON = 1e-5;

interface Contender {
  readonly label: string;
  readonly program: Program;
}

async function main(): Promise<number> {
  const rows = Number(process.env.SUBGROUPS_ROWS ?? 128);
  const columns = Number(process.env.SUBGROUPS_COLUMNS ?? 512);
  const repeats = Number(process.env.SUBGROUPS_REPEATS ?? 10);
  const weft = await requestWeftDevice({ gpu: await benchGpu() });
  console.log(`Adapter: ${formatAdapter(weft.adapter)}; LayerNorm [${rows}, ${columns}], fused`);
  if (!weft.device.features.has('subgroups')) {
    console.log('skipped: the device has no `subgroups` feature');
    weft.destroy();
    return 0;
  }
  const x = randomValues(rows * columns, 31, -3, 3);
  const gamma = randomValues(columns, 32, 0.5, 1.5);
  const beta = randomValues(columns, 33, -0.5, 0.5);
  const graph = makeGraph({ y: layerNorm(input('x', [rows, columns]), { name: 'ln', eps: EPSILON }) });
  const params = { 'ln.gamma': gamma, 'ln.beta': beta };
  // A software adapter gets one invocation per row; as a hardware GPU it gets one workgroup per row.
  const asHardware: WeftDevice = { ...weft, adapter: { ...weft.adapter, software: false } };
  const contenders: Contender[] = [
    { label: 'workgroup per row, subgroups', program: await compile(graph, { device: asHardware, params }) },
    {
      label: 'workgroup per row, tree',
      program: await compile(graph, { device: asHardware, params, subgroups: false }),
    },
    { label: 'adapter default', program: await compile(graph, { device: weft, params }) },
  ];
  const reference = layerNormReference(x, gamma, beta, rows, columns, EPSILON);
  for (const { label, program } of contenders) {
    const { y } = await program.run({ x });
    const error = maxRelativeError(y!.data, reference);
    const subgroups = program.kernels.some((kernel) => kernel.wgsl.includes('subgroupAdd('));
    console.log(
      `${label}: max relative error vs float64 ${error.toExponential(2)}; subgroup ops ${subgroups}`,
    );
    // Warm-up: pipelines compiled, buffers allocated, first readback done.
    await program.run({ x });
  }
  const results = await measureInterleaved(
    contenders.map(({ program }) => ({ run: () => program.run({ x }) })),
    { repeats },
  );
  printContenderTable(
    contenders.map(({ label }) => label),
    results,
    1,
    'the tree',
  );
  for (const { program } of contenders) program.destroy();
  weft.destroy();
  return 0;
}

usePrivateRuntimeDir();
process.exit(await main());
