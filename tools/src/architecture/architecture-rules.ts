// The rules `pnpm check:architecture` (a step of `pnpm verify`) enforces: the package layers, the
// known exceptions to them, and the source files allowed over the length limit.

/** One layer of the design: which files belong to it and which layers it may import. */
export interface Layer {
  /** The layer's name: the package (or subpath) that exposes it. */
  readonly name: string;
  /** Its height: a layer imports only layers of a lower level (same level: neither imports the other). */
  readonly level: number;
  /** Path prefixes (from the repository root) of its files; the longest matching prefix wins. */
  readonly paths: readonly string[];
  /** The lower layers it may import; absent: every lower layer. */
  readonly mayImport?: readonly string[];
}

/**
 * THE layer table, lowest first. `@weft/attention` is the spec part of packages/attention (it may
 * import ir and norms only); `@weft/attention/kernels` is its WGSL kernel generation (the kernel/
 * folder and the `kernels.ts` entry), which may import wgsl.
 */
export const LAYERS: readonly Layer[] = [
  { name: '@weft/ir', level: 0, paths: ['packages/ir/'], mayImport: [] },
  { name: '@weft/norms', level: 1, paths: ['packages/norms/'], mayImport: ['@weft/ir'] },
  { name: '@weft/wgsl', level: 1, paths: ['packages/wgsl/'], mayImport: ['@weft/ir'] },
  {
    name: '@weft/attention',
    level: 2,
    paths: ['packages/attention/'],
    mayImport: ['@weft/ir', '@weft/norms'],
  },
  {
    name: '@weft/attention/kernels',
    level: 3,
    paths: ['packages/attention/src/kernel/', 'packages/attention/src/kernels.ts'],
    mayImport: ['@weft/ir', '@weft/norms', '@weft/wgsl', '@weft/attention'],
  },
  {
    name: '@weft/attention/linear-kernels',
    level: 3,
    paths: ['packages/attention/src/linear-kernel/', 'packages/attention/src/linear-kernels.ts'],
    mayImport: ['@weft/ir', '@weft/wgsl', '@weft/attention'],
  },
  { name: '@weft/runtime', level: 4, paths: ['packages/runtime/'], mayImport: ['@weft/ir', '@weft/wgsl'] },
  { name: '@weft/models', level: 5, paths: ['packages/models/'] },
  // The zoo's entries build graphs only; running them on a device is its runner (src/runner/,
  // `@weft/zoo/runner` and `@weft/zoo/cli`), the one part of the zoo that may import the runtime.
  {
    name: '@weft/zoo',
    level: 6,
    paths: ['packages/zoo/'],
    mayImport: [
      '@weft/ir',
      '@weft/norms',
      '@weft/wgsl',
      '@weft/attention',
      '@weft/attention/kernels',
      '@weft/attention/linear-kernels',
      '@weft/models',
    ],
  },
  { name: '@weft/zoo/runner', level: 7, paths: ['packages/zoo/src/runner/'] },
  { name: 'apps', level: 8, paths: ['apps/'] },
  { name: 'tools', level: 8, paths: ['tools/'] },
];

/** A known import against the layers, allowed until it is fixed. */
export interface KnownLayerViolation {
  /** The importing file, from the repository root. */
  readonly file: string;
  /** The layer it imports. */
  readonly imports: string;
  /** Why it is there, and what removes it. */
  readonly reason: string;
}

/**
 * Imports that break the layers today. Empty this list as they are fixed: an entry that matches
 * no import is reported as stale.
 */
export const KNOWN_LAYER_VIOLATIONS: readonly KnownLayerViolation[] = [
  // Tests that compile what they test through @weft/runtime's public entry rather than its test
  // helpers (@weft/runtime/test), and a spec test reading the wgsl device profile.
  {
    file: 'packages/attention/src/attention-decode.gpu.test.ts',
    imports: '@weft/runtime',
    reason: 'compiles decode steps',
  },
  {
    file: 'packages/attention/src/attention-kernel-rows.gpu.test.ts',
    imports: '@weft/runtime',
    reason: 'compiles attention kernels',
  },
  {
    file: 'packages/attention/src/attention-decode.gpu.test.ts',
    imports: '@weft/attention/kernels',
    reason: 'compiles decode steps with the attention extension',
  },
  {
    file: 'packages/attention/src/attention-kernel-rows.gpu.test.ts',
    imports: '@weft/attention/kernels',
    reason: 'compiles attention kernels with the attention extension',
  },
  {
    file: 'packages/attention/src/attention-spec.test.ts',
    imports: '@weft/attention/kernels',
    reason: 'reads chooseAttentionStrategy',
  },
  // The production-bundle test launches Chromium with the WebGPU flags the browser tests share.
  {
    file: 'apps/playground/src/saved-graph/saved-attention-bundle.gpu.test.ts',
    imports: 'tools',
    reason: 'launches Chromium with chromiumWebGpuArgs',
  },
  {
    file: 'packages/attention/src/attention-spec.test.ts',
    imports: '@weft/wgsl',
    reason: 'reads DEFAULT_DEVICE_PROFILE',
  },
  {
    file: 'packages/attention/src/kernel/snapshots/snapshot-support.ts',
    imports: '@weft/runtime',
    reason: 'generates the snapshot kernels with generateGraphKernels',
  },
  {
    file: 'packages/norms/src/norm-fusion.test.ts',
    imports: '@weft/runtime',
    reason: 'compiles fused norms',
  },
  {
    file: 'packages/norms/src/norms-edge-numerics.gpu.test.ts',
    imports: '@weft/runtime',
    reason: 'compiles norms on the GPU',
  },
];

/**
 * Test files: `*.test.ts`, and helpers only tests use (`test-support/`, `snapshots/` folders).
 * A test file may import a higher layer's test helpers (`@weft/<package>/test`) — a norm's GPU test
 * needs the runtime's device fixture — but nothing else above its layer.
 */
export function isTestFile(file: string): boolean {
  return /\.test\.ts$/.test(file) || /\/(test-support|snapshots)\//.test(file);
}

/** Non-test source files over this many lines are reported unless listed in {@link LONG_FILES}. */
export const MAX_LINES = 400;

/** Source files allowed over {@link MAX_LINES}, each with why it stays one file. */
export const LONG_FILES: Readonly<Record<string, string>> = {};
