// `pnpm soak`: compile/run/destroy cycles of small programs and generations of a tiny model,
// checking that the JS heap, RSS and live GPU buffers stay flat.
import { and, applyAttention, attention, causal, rope, slidingWindow } from '@weft/attention';
import { attention as attentionKernels } from '@weft/attention/kernels';
import { formatTable, type Graph, input, makeGraph, mul } from '@weft/ir';
import { compileModel } from '@weft/models';
import { TINY_LLAMA } from '@weft/models/test';
import { layerNorm, rmsNorm } from '@weft/norms';
import { cachedPipelineCount, compile, formatAdapter, requestWeftDevice } from '@weft/runtime';
import { UsageError, usePrivateRuntimeDir } from '@weft/zoo/cli';
import { SWIFTSHADER_ICD } from '../bench/bench-gpu.js';
import { randomParams } from '../fuzz/attention-cases.js';
import { Prng } from '../fuzz/prng.js';
import {
  canCollect,
  GpuBufferCounter,
  type ResourceSample,
  sampleResources,
  staysFlat,
} from './resource-sampler.js';
import { parseSoakOptions, SOAK_USAGE, type SoakOptions } from './soak-options.js';

/** Small graphs the cycles rotate through (attention, norms), with their inputs. */
function smallPrograms() {
  const attentionGraph = () => {
    const spec = attention({
      heads: 4,
      kvHeads: 2,
      headDim: 8,
      positions: rope(),
      mask: and(causal(), slidingWindow(5)),
    });
    const { output } = applyAttention(spec, {
      query: input('q', [1, 4, 9, 8]),
      key: input('k', [1, 2, 9, 8]),
      value: input('v', [1, 2, 9, 8]),
    });
    return makeGraph({ output });
  };
  const fill = (length: number) => Float32Array.from({ length }, (_, i) => Math.sin(i + 1));
  const withParams = <T extends { graph: Graph }>(entry: T) => ({
    ...entry,
    params: Object.fromEntries(
      Object.entries(randomParams(entry.graph, new Prng(3))).map(([name, tensor]) => [
        name,
        Float32Array.from(tensor.data),
      ]),
    ),
  });
  return [
    { name: 'attention', graph: attentionGraph(), inputs: { q: fill(288), k: fill(144), v: fill(144) } },
    { name: 'layerNorm', graph: makeGraph({ y: layerNorm(input('x', [3, 33])) }), inputs: { x: fill(99) } },
    {
      name: 'rmsNorm→mul',
      graph: makeGraph({ y: mul(rmsNorm(input('x', [5, 16])), input('s', [5, 16])) }),
      inputs: { x: fill(80), s: fill(80) },
    },
  ].map(withParams);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function report(phase: string, start: ResourceSample, end: ResourceSample): boolean {
  const rows: [string, number, number, string, boolean][] = [
    ['JS heap', start.heapUsed, end.heapUsed, 'MiB', staysFlat(start.heapUsed, end.heapUsed)],
    ['RSS', start.rss, end.rss, 'MiB', staysFlat(start.rss, end.rss)],
    [
      'live GPU buffers',
      start.gpuBuffers,
      end.gpuBuffers,
      'count',
      staysFlat(start.gpuBuffers, end.gpuBuffers),
    ],
    ['live GPU bytes', start.gpuBytes, end.gpuBytes, 'MiB', staysFlat(start.gpuBytes, end.gpuBytes)],
  ];
  const show = (value: number, unit: string) => (unit === 'MiB' ? mib(value) : String(value));
  const change = (a: number, b: number) =>
    a === 0 ? (b === 0 ? '±0%' : '+∞') : `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`;
  const table = formatTable(
    rows.map(([label, a, b, unit, flat]) => [
      label,
      'start',
      show(a, unit),
      'end',
      show(b, unit),
      change(a, b),
      flat ? 'flat (within 10%)' : 'GREW more than 10%',
    ]),
    { align: ['left', 'left', 'right', 'left', 'right', 'right'] },
  );
  console.log(`\n${phase}:\n${table.replace(/^/gm, '  ')}`);
  return rows.every(([, , , , flat]) => flat);
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${SOAK_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(SOAK_USAGE);
    return 0;
  }
  if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined)
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const weft = await requestWeftDevice();
  const counter = new GpuBufferCounter(weft.device);
  console.log(`Adapter: ${formatAdapter(weft.adapter)}`);
  console.log(
    `Cycles ${options.cycles}, generations ${options.generations}; heap after GC: ${canCollect ? 'yes' : 'no (run node with --expose-gc)'}`,
  );
  let flat = true;

  if (options.cycles > 0) {
    const programs = smallPrograms();
    const cycle = async (index: number) => {
      const { graph, inputs, params } = programs[index % programs.length]!;
      const program = await compile(graph, { device: weft, params, extensions: [attentionKernels] });
      await program.run(inputs);
      program.destroy();
    };
    // Warm-up, then the baseline: a tenth of the cycles (at least one round of every program), so
    // pipelines are cached and V8 has tiered up the hot functions — their optimized code and type
    // feedback live on the JS heap and grow over the first few hundred calls (measured: +1.3 MiB in
    // the first 400 cycles, +0.7 MiB in the next 1,600), which is not a leak.
    const warmUp = Math.max(programs.length, Math.floor(options.cycles / 10));
    for (let i = 0; i < warmUp; i++) await cycle(i);
    const start = await sampleResources(counter);
    const pipelinesAtStart = cachedPipelineCount(weft.device);
    const began = performance.now();
    for (let i = 0; i < options.cycles; i++) {
      await cycle(i);
      if ((i + 1) % Math.max(1, Math.floor(options.cycles / 5)) === 0) {
        const now = await sampleResources(counter);
        console.log(
          `  cycle ${i + 1}/${options.cycles} (${((performance.now() - began) / 1000).toFixed(0)} s): live GPU buffers ${now.gpuBuffers}, heap after GC ${mib(now.heapUsed)}, RSS ${mib(now.rss)}`,
        );
      }
    }
    const end = await sampleResources(counter);
    flat =
      report(
        `compile/run/destroy cycles (${options.cycles}; ${counter.created} buffers created in all; cached pipelines ${pipelinesAtStart} → ${cachedPipelineCount(weft.device)})`,
        start,
        end,
      ) && flat;
  }

  if (options.generations > 0) {
    const model = await compileModel(TINY_LLAMA, { device: weft, seed: 7 });
    const prompt = [5, 17, 2, 40];
    const generate = () => model.generate(prompt, { maxTokens: 4 });
    const first = await generate();
    const start = await sampleResources(counter);
    const began = performance.now();
    let same = true;
    for (let i = 0; i < options.generations; i++) {
      const result = await generate();
      same &&= result.tokens.join() === first.tokens.join();
      if ((i + 1) % Math.max(1, Math.floor(options.generations / 5)) === 0) {
        const now = await sampleResources(counter);
        console.log(
          `  generation ${i + 1}/${options.generations} (${((performance.now() - began) / 1000).toFixed(0)} s): live GPU buffers ${now.gpuBuffers}, heap after GC ${mib(now.heapUsed)}, RSS ${mib(now.rss)}`,
        );
      }
    }
    const end = await sampleResources(counter);
    flat =
      report(
        `generations of a tiny decoder LM (${options.generations} × 4 tokens; every generation gave the same tokens: ${same ? 'yes' : 'NO'})`,
        start,
        end,
      ) && flat;
    model.destroy();
    const after = await sampleResources(counter);
    console.log(`  after model.destroy(): live GPU buffers ${after.gpuBuffers} (${mib(after.gpuBytes)})`);
  }
  console.log(`\n${flat ? 'All figures stayed flat within 10%.' : 'Some figures grew by more than 10%.'}`);
  weft.destroy();
  return flat ? 0 : 1;
}

// Before the WebGPU binding loads: without XDG_RUNTIME_DIR, Dawn's Vulkan loader prints a harmless
// "XDG_RUNTIME_DIR is invalid or not set" error twice per run.
usePrivateRuntimeDir();
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
