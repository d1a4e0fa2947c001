import { type CompileModelOptions, compileModel, parseModelSpec, resolveModelDevice } from '@weft/models';
import { formatAdapter } from '@weft/runtime';
import { DEMO_SPEC } from './demo-spec.js';
import { countBlockPlan, countPlan } from './plan-summary.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Tokens to generate. Default 32. */
  readonly tokens?: number;
  /** The prompt's token ids. Default eight fixed ids. */
  readonly prompt?: readonly number[];
  /** Seed of the random weights. Default 42. */
  readonly seed?: number;
  /** Where to run. Default `'auto'` (WebGPU, else the CPU reference interpreter). */
  readonly device?: CompileModelOptions['device'];
  /** Where lines go. Default `console.log`. */
  readonly log?: (line: string) => void;
}

/** What the demo measured. */
export interface DemoResult {
  /** `webgpu` or `cpu`. */
  readonly backend: 'webgpu' | 'cpu';
  /** Generated token ids. */
  readonly tokens: readonly number[];
  /** Normwise relative error of the prefill logits vs the float64 reference: max|Δ| / max|ref|. */
  readonly prefillError: number;
  /** Kernels of the decoder step program. */
  readonly kernels: number;
  /** Dispatches per generated token. */
  readonly dispatchesPerToken: number;
  /** Kernels of one block on its own. */
  readonly kernelsPerBlock: number;
  /** Prefill wall time, ms. */
  readonly prefillMs: number;
  /** Decode wall time per token, ms. */
  readonly msPerToken: number;
}

const DEFAULT_PROMPT = [17, 101, 4, 250, 63, 8, 199, 42];

/**
 * The main job: builds the example decoder LM with seeded weights, prints the adapter and the
 * kernel plan summary, runs prefill and greedy generation with the KV cache on the device, checks
 * the prefill logits against the float64 reference interpreter, and prints timings.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const spec = parseModelSpec(DEMO_SPEC);
  const { config } = spec;
  const resolved = await resolveModelDevice(options.device ?? 'auto');
  if (resolved.device === 'cpu')
    log(
      `No WebGPU adapter (${resolved.fallbackReason ?? 'CPU requested'}): falling back to the CPU reference interpreter.`,
    );
  else if ('adapter' in resolved.device) log(`Adapter: ${formatAdapter(resolved.device.adapter)}`);
  const seed = options.seed ?? 42;
  log(
    `Model: decoder LM, ${config.layers} layers, d=${config.dModel}, ${config.heads} heads / ${config.kvHeads} KV heads (GQA), ` +
      `RoPE, RMSNorm, SwiGLU ${config.mlp.hidden}, vocab ${config.vocabSize}, KV cache ${config.maxSeq} slots, seeded weights (seed ${seed})`,
  );

  const compileStarted = performance.now();
  const model = await compileModel(spec, {
    device: resolved.device,
    seed,
    ...(resolved.fallbackReason === undefined ? {} : { fallbackReason: resolved.fallbackReason }),
  });
  const compileMs = performance.now() - compileStarted;
  try {
    const block = countBlockPlan(config);
    const whole = countPlan(model.graphs.decoder);
    const { stats } = model.decoder;
    log('Kernel plan (decode step program, KV cache kept on the device):');
    log(`  one block:     ${block.ops} IR ops -> ${block.kernels} kernels`);
    log(
      `  whole model:   ${whole.ops} IR ops -> ${stats.kernels} kernels (${config.layers} blocks + embedding, final norm, head)`,
    );
    log(`  dispatches per token: ${stats.dispatchesPerRun}`);
    log(
      `  arena: ${formatBytes(stats.arenaBytes)} (${formatBytes(stats.unsharedBytes)} without buffer reuse)`,
    );
    log(`Compiled on ${model.backend} in ${compileMs.toFixed(0)} ms`);

    const prompt = options.prompt ?? DEFAULT_PROMPT;
    const maxTokens = options.tokens ?? 32;
    const result = await model.generate(prompt, { maxTokens, sampling: { kind: 'greedy' } });
    const reference = model.referenceLogits(prompt);
    const prefillError = normwiseError(result.prefillLogits, reference);
    const msPerToken = result.decodeSteps === 0 ? 0 : result.decodeMs / result.decodeSteps;
    log(`Prompt: ${prompt.join(' ')}`);
    log(`Prefill (${prompt.length} tokens): ${result.prefillMs.toFixed(1)} ms`);
    log(
      `  logits vs float64 reference: max relative error ${prefillError.toExponential(2)} (max|Δ| / max|ref|)`,
    );
    log(`Generated ${result.tokens.length} tokens (greedy): ${result.tokens.join(' ')}`);
    log(
      `Decode: ${msPerToken.toFixed(1)} ms per token over ${result.decodeSteps} steps, ${stats.dispatchesPerRun} dispatches per token`,
    );
    log(`Total: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return {
      backend: model.backend,
      tokens: result.tokens,
      prefillError,
      kernels: stats.kernels,
      dispatchesPerToken: stats.dispatchesPerRun,
      kernelsPerBlock: block.kernels,
      prefillMs: result.prefillMs,
      msPerToken,
    };
  } finally {
    model.destroy();
  }
}

/** max|actual − expected| / max|expected|. */
function normwiseError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let index = 0; index < expected.length; index++) {
    difference = Math.max(difference, Math.abs(actual[index]! - expected[index]!));
    scale = Math.max(scale, Math.abs(expected[index]!));
  }
  return difference / Math.max(scale, 1e-30);
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
