import { attention as attentionKernels } from '@weft/attention/kernels';
import type { Graph } from '@weft/ir';
import { compile, type Program, type WeftDevice } from '@weft/runtime';
import type { ReportedGpuBytes, RunnableSystem, SystemFactory } from '../bench-case.js';

/** A Weft implementation of a case: the graph, its parameters, and one run's inputs. */
export interface WeftCaseProgram {
  /** The graph to compile. */
  readonly graph: Graph;
  /** Values of its `param` nodes, by name. */
  readonly params?: Readonly<Record<string, Float32Array>>;
  /** Values of its `input` nodes, by name, uploaded on every run. */
  readonly inputs: Readonly<Record<string, Float32Array>>;
  /** Which graph output the case compares. Default: the graph's only output. */
  readonly output?: string;
  /** Bindings of the graph's symbolic dims. */
  readonly dims?: Readonly<Record<string, number>>;
}

/**
 * A Weft system: compiles what `build` returns (fused or one kernel per op) on the benchmark's
 * device. `build` is async so that it can import Weft's block packages lazily: while one is
 * missing or broken, the system is skipped with the error as its note and the peers still run.
 */
export function weftSystem(
  weft: WeftDevice,
  fuse: boolean,
  build: () => Promise<WeftCaseProgram>,
  options: WeftSystemOptions = {},
): SystemFactory {
  const factory = async (): Promise<RunnableSystem> => {
    const spec = await build();
    const program = await compile(spec.graph, {
      device: weft,
      ...(spec.params === undefined ? {} : { params: spec.params }),
      fuse,
      extensions: [attentionKernels],
    });
    const outputName = spec.output ?? onlyOutput(spec.graph);
    const runOptions = spec.dims === undefined ? {} : { dims: spec.dims };
    const kernels = `${program.stats.kernels} kernel${program.stats.kernels === 1 ? '' : 's'}`;
    const extra = options.note === undefined ? undefined : await options.note(program, spec);
    return {
      async run() {
        const outputs = await program.run(spec.inputs, runOptions);
        const output = outputs[outputName];
        if (output === undefined) throw new Error(`weft: the program has no output "${outputName}"`);
        return output.data instanceof Float32Array ? output.data : Float32Array.from(output.data);
      },
      reportedGpuBytes: () => weftArenaBytes(program),
      dispose: () => program.destroy(),
      note: extra === undefined ? kernels : `${kernels}; ${extra}`,
    };
  };
  return withWeftGraph(factory, async () => ({ graph: (await build()).graph, fuse }));
}

/** Options of {@link weftSystem}. */
export interface WeftSystemOptions {
  /** Something measured on the compiled program (before the warm-up) to add to the system's note. */
  readonly note?: (program: Program, spec: WeftCaseProgram) => Promise<string>;
}

/** The graph a Weft system compiles, and whether it compiles it fused. */
export interface WeftSystemGraph {
  /** The graph `compile` receives. */
  readonly graph: Graph;
  /** `compile`'s `fuse`. */
  readonly fuse: boolean;
}

const weftGraphs = new WeakMap<SystemFactory, () => Promise<WeftSystemGraph>>();

/**
 * Records how to build the graph that a Weft system factory compiles, so that tools can generate
 * its kernels without a device (`pnpm replay`); returns `factory`.
 */
export function withWeftGraph(factory: SystemFactory, graph: () => Promise<WeftSystemGraph>): SystemFactory {
  weftGraphs.set(factory, graph);
  return factory;
}

/** The graph a factory made by {@link weftSystem} (or marked by {@link withWeftGraph}) compiles; undefined for peers. */
export function weftSystemGraph(factory: SystemFactory): Promise<WeftSystemGraph> | undefined {
  return weftGraphs.get(factory)?.();
}

/**
 * Weft's own account of a program's GPU memory: its one arena, which holds the parameters, inputs,
 * state (KV caches) and every intermediate after liveness-based reuse.
 */
export function weftArenaBytes(program: Program): ReportedGpuBytes {
  return {
    bytes: program.stats.arenaBytes,
    source: 'program.stats.arenaBytes (parameters, state and activations)',
  };
}

function onlyOutput(graph: Graph): string {
  const names = Object.keys(graph.outputs);
  if (names.length !== 1)
    throw new Error(`weft: the graph has outputs ${names.join(', ')}; name the one to compare`);
  return names[0]!;
}
