// The kernel corpus of `pnpm replay`: the WGSL that Weft generates for a fixed set of graphs on two
// device profiles. Generation only (IR pipeline + code generation), no device.
//
// This module is also run against other revisions (through `corpus-main.ts`, possibly copied into a
// revision that predates it), so it imports what it needs from the runtime and the benchmark by
// feature detection and records the entries it could not build as `skipped`.
import type { Graph } from '@weft/ir';
import { runPipeline } from '@weft/ir';
import { buildDecoderLmGraph, InferenceCache, parseModelSpec, rollingWindow } from '@weft/models';
import * as runtime from '@weft/runtime';
import {
  DEFAULT_DEVICE_PROFILE,
  type DeviceProfile,
  generateProgram,
  type KernelExtension,
} from '@weft/wgsl';
import { ZOO } from '@weft/zoo';
import type { SystemFactory } from '../bench/bench-case.js';
import { benchCases } from '../bench/bench-catalog.js';
import * as weftSystemModule from '../bench/weft/weft-system.js';
import { DEMO_SPEC } from '../demo/demo-spec.js';

/** Format version of {@link Corpus}; a corpus of another version is not compared. */
export const CORPUS_VERSION = 1;

/** The kernels of the corpus: key → WGSL, and key → a readable label. */
export interface Corpus {
  /** {@link CORPUS_VERSION}. */
  readonly version: number;
  /** `<entry>/<profile>/<kernel index>` → the kernel's WGSL. */
  readonly kernels: Readonly<Record<string, string>>;
  /** Same keys → `<template> <label>` of the kernel, for reports. */
  readonly labels: Readonly<Record<string, string>>;
  /** Every entry generated, in order (`zoo/layer-norm`, `demo/step`, `bench/matmul-64/weft-fused`). */
  readonly entries: readonly string[];
  /** Entries this revision could not build, with the reason (not compared). */
  readonly skipped: Readonly<Record<string, string>>;
}

/** A graph of the corpus. */
export interface CorpusGraph {
  /** Entry name, the first part of its kernels' keys. */
  readonly entry: string;
  /** Builds the graph. */
  readonly build: () => Graph | Promise<Graph>;
}

/**
 * The device profiles kernels are generated for: `hardware`, a GPU with the WebGPU core limits and no
 * subgroups (`DEFAULT_DEVICE_PROFILE`), and `software`, SwiftShader as Dawn offers it (the CI and
 * no-GPU adapter: its limits, `subgroups`, `software: true`, which changes the strategies of rows,
 * matmuls and attention).
 */
export const REPLAY_PROFILES: Readonly<Record<string, DeviceProfile>> = {
  hardware: { ...DEFAULT_DEVICE_PROFILE, subgroups: false, software: false },
  software: {
    limits: {
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupSizeY: 256,
      maxComputeWorkgroupStorageSize: 32768,
      maxComputeWorkgroupsPerDimension: 65535,
      maxStorageBuffersPerShaderStage: 12,
      maxStorageBufferBindingSize: 1073741824,
      minStorageBufferOffsetAlignment: 256,
    },
    shaderF16: false,
    subgroups: true,
    subgroupSize: 4,
    software: true,
  },
};

/** The key of one kernel: `<entry>/<profile>/<kernel index>`. */
export function kernelKey(entry: string, profile: string, index: number): string {
  return `${entry}/${profile}/${index}`;
}

/** The entry of a kernel key (everything before the profile and index). */
export function entryOfKey(key: string): string {
  return key.split('/').slice(0, -2).join('/');
}

/** Generated kernels as the runtime's `compile` would generate them (its own function where it has one). */
interface KernelSource {
  readonly wgsl: string;
  readonly label: string;
  readonly template: string;
}

type GenerateGraphKernels = (
  graph: Graph,
  profile: DeviceProfile,
  options?: { fuse?: boolean; extensions?: readonly KernelExtension[] },
) => {
  kernels: readonly { wgsl: string; label: string }[];
  plan: { kernels: readonly { template: string }[] };
};

/**
 * The extensions code generation takes: the attention kernels where this revision has them as a
 * value (`@weft/attention/kernels`; revisions before that registered their templates on import),
 * and the linear-attention kernels where it has them (`@weft/attention/linear-kernels`).
 */
async function kernelExtensions(): Promise<readonly KernelExtension[]> {
  const load = async (entry: string, name: string): Promise<KernelExtension[]> => {
    try {
      const module = (await import(entry)) as Record<string, KernelExtension | undefined>;
      return module[name] === undefined ? [] : [module[name]!];
    } catch {
      return [];
    }
  };
  return [
    ...(await load('@weft/attention/kernels', 'attention')),
    ...(await load('@weft/attention/linear-kernels', 'linearAttentionExtension')),
  ];
}

function graphKernels(
  graph: Graph,
  profile: DeviceProfile,
  fuse: boolean,
  extensions: readonly KernelExtension[],
): KernelSource[] {
  const generate = (runtime as unknown as { generateGraphKernels?: GenerateGraphKernels })
    .generateGraphKernels;
  if (generate !== undefined) {
    const { kernels, plan } = generate(graph, profile, { fuse, extensions });
    return kernels.map((kernel, index) => ({
      wgsl: kernel.wgsl,
      label: kernel.label,
      template: plan.kernels[index]!.template,
    }));
  }
  // Revisions before `generateGraphKernels`: what their `compile` did.
  const { plan } = runPipeline(graph, { fuse, alignment: profile.limits.minStorageBufferOffsetAlignment });
  return generateProgram(plan, profile, { inputAccess: 'read_write', extensions }).map((kernel, index) => ({
    wgsl: kernel.wgsl,
    label: kernel.label,
    template: plan.kernels[index]!.template,
  }));
}

/** Every zoo entry's graph, built the way `pnpm zoo` builds it. */
export function zooGraphs(): CorpusGraph[] {
  return ZOO.map((entry) => ({ entry: `zoo/${entry.id}`, build: () => entry.build().graph }));
}

/**
 * The demo decoder LM's programs: `demo/step`, the program that runs prefill and every decode step
 * against the KV caches (`compileModel`'s decoder, what `weft plan` prints), `demo/step-rolling`,
 * the same against a rolling inference cache (`cache: { policy: rollingWindow(maxSeq / 2) }`), and
 * `demo/forward`, the cache-free full-sequence program (`compileModel`'s `forwardProgram`), and
 * `demo/step-12-layers`, the step program with 12 layers (the compile-time bench case: layer indices
 * of two digits).
 */
export function demoGraphs(): CorpusGraph[] {
  const { config } = parseModelSpec(DEMO_SPEC);
  const rolling = () => {
    const cache = new InferenceCache(config.maxSeq, {
      policy: rollingWindow(Math.max(1, Math.floor(config.maxSeq / 2))),
    });
    return { layout: cache.layout, maxStepTokens: cache.maxStepTokens };
  };
  return [
    { entry: 'demo/step', build: () => buildDecoderLmGraph(config, { mode: 'step' }).graph },
    {
      entry: 'demo/step-rolling',
      build: () => buildDecoderLmGraph(config, { mode: 'step', cache: rolling() }).graph,
    },
    { entry: 'demo/forward', build: () => buildDecoderLmGraph(config, { mode: 'forward' }).graph },
    {
      entry: 'demo/step-12-layers',
      build: () => buildDecoderLmGraph({ ...config, layers: 12 }, { mode: 'step' }).graph,
    },
  ];
}

/** Systems of a bench case that run Weft's fused graph. */
const FUSED_SYSTEMS = ['weft-fused', 'weft-hoisted'] as const;

type WeftSystemGraphOf = (
  factory: SystemFactory,
) => Promise<{ readonly graph: Graph; readonly fuse: boolean }> | undefined;

/**
 * The fused Weft graphs of every bench case at full size (`pnpm bench` without `--quick`): one entry
 * `bench/<case>/<system>` per fused Weft system. Setting a case up needs no device: only the
 * systems' factories use it, and they are never called.
 */
export async function benchGraphs(): Promise<{ graphs: CorpusGraph[]; skipped: Record<string, string> }> {
  const graphOf = (weftSystemModule as unknown as { weftSystemGraph?: WeftSystemGraphOf }).weftSystemGraph;
  if (graphOf === undefined) {
    return {
      graphs: [],
      skipped: { bench: 'this revision cannot build the bench graphs without a device (no weftSystemGraph)' },
    };
  }
  const noDevice = new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(`a bench case's setup used the device (.${String(property)}) outside its systems`);
      },
    },
  );
  const graphs: CorpusGraph[] = [];
  for (const benchCase of benchCases({ quick: false })) {
    const setup = await benchCase.setup({ weft: noDevice as never, gpu: noDevice as never });
    for (const system of FUSED_SYSTEMS) {
      const factory = setup.systems[system];
      if (factory === undefined) continue;
      const pending = graphOf(factory);
      if (pending === undefined) continue;
      const { graph, fuse } = await pending;
      if (!fuse) continue;
      graphs.push({ entry: `bench/${benchCase.name}/${system}`, build: () => graph });
    }
  }
  return { graphs, skipped: {} };
}

/** Options of {@link generateCorpus}. */
export interface GenerateCorpusOptions {
  /** The graphs (default: zoo, demo and bench, in that order). */
  readonly graphs?: readonly CorpusGraph[];
  /** Profiles by name (default {@link REPLAY_PROFILES}). */
  readonly profiles?: Readonly<Record<string, DeviceProfile>>;
}

/** The graphs of the full corpus and the entries that cannot be built here. */
export async function corpusGraphs(): Promise<{ graphs: CorpusGraph[]; skipped: Record<string, string> }> {
  const bench = await benchGraphs();
  return { graphs: [...zooGraphs(), ...demoGraphs(), ...bench.graphs], skipped: bench.skipped };
}

/**
 * Generates the corpus: the WGSL of every kernel of every graph for every profile. A graph that
 * fails to build or generate throws (a real failure, never a silent gap).
 */
export async function generateCorpus(options: GenerateCorpusOptions = {}): Promise<Corpus> {
  const { graphs, skipped } =
    options.graphs === undefined ? await corpusGraphs() : { graphs: options.graphs, skipped: {} };
  const profiles = options.profiles ?? REPLAY_PROFILES;
  const extensions = await kernelExtensions();
  const kernels: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const entries: string[] = [];
  for (const { entry, build } of graphs) {
    if (entries.includes(entry)) throw new Error(`replay corpus: duplicate entry ${entry}`);
    entries.push(entry);
    let graph: Graph;
    try {
      graph = await build();
    } catch (error) {
      throw new Error(`replay corpus: building ${entry} failed: ${String(error)}`, { cause: error });
    }
    for (const [profileName, profile] of Object.entries(profiles)) {
      let generated: KernelSource[];
      try {
        generated = graphKernels(graph, profile, true, extensions);
      } catch (error) {
        throw new Error(`replay corpus: generating ${entry} for ${profileName} failed: ${String(error)}`, {
          cause: error,
        });
      }
      generated.forEach((kernel, index) => {
        const key = kernelKey(entry, profileName, index);
        kernels[key] = kernel.wgsl;
        labels[key] = `${kernel.template} ${kernel.label}`;
      });
    }
  }
  return { version: CORPUS_VERSION, kernels, labels, entries, skipped };
}
