import { attention } from '@weft/attention/kernels';
import { formatFusionDecisions, formatKernelPlan, graphNodes, InputError, runPipeline } from '@weft/ir';
import {
  buildArchitectureGraph,
  buildModelGraph,
  isArchitectureSpec,
  specDocumentToJSON,
} from '@weft/models';
import { defaultHalfStorage } from '@weft/runtime';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile, fusionCostModelOf, generateProgram } from '@weft/wgsl';
import type { CAC } from 'cac';
import { resolveSpecPath } from '../bundled-examples.js';
import type { CliIo } from '../cli-io.js';
import { formatBytes } from '../format-bytes.js';
import { loadSpecFile } from '../load-spec-file.js';
import { summarizeSpec } from '../spec-summary.js';
import {
  checkPrecisionFlags,
  describePrecision,
  type PrecisionChoice,
  type PrecisionFlags,
  withPrecisionOptions,
} from './precision-option.js';

/** Options of `weft plan`. */
export interface PlanOptions extends PrecisionFlags {
  /** Print the validated spec as normalized JSON (defaults written out) instead of the plan. */
  readonly json?: boolean;
  /** Also print the generated WGSL of every kernel. */
  readonly wgsl?: boolean;
  /** Also print the fusion cost model's decisions, one line each, with the estimates they compared. */
  readonly explain?: boolean;
  /** The adapter to plan for: `hardware` (a GPU with the core limits, default) or `software` (SwiftShader). */
  readonly adapter?: string;
}

/** The device profiles `weft plan --adapter` plans for. */
const ADAPTER_PROFILES: Readonly<Record<string, DeviceProfile>> = {
  hardware: DEFAULT_DEVICE_PROFILE,
  software: { ...DEFAULT_DEVICE_PROFILE, software: true },
};

const SOURCES = new Set(['input', 'param', 'constant', 'literal']);

/**
 * Registers `weft plan <spec.json>`: validates a spec and prints the kernel plan of its decode
 * step program, or of its forward pass for the encoder, ViT, DiT and encoder–decoder kinds (IR
 * ops → fused kernels, the tensors each reads and writes, arena bytes), with
 * `--explain` the fusion cost model's decisions, and with `--wgsl` the generated WGSL, for the
 * adapter `--adapter` names (no GPU needed).
 */
export function registerPlanCommand(cli: CAC, io: CliIo): void {
  const command = cli.command(
    'plan <spec>',
    'Validate a model spec (JSON, or a Hugging Face model directory) and print its kernel plan',
  );
  withPrecisionOptions(command)
    .option('--json', 'Print the validated spec as normalized JSON, defaults filled in')
    .option('--wgsl', 'Also print the WGSL of every kernel')
    .option('--explain', "Also print the fusion cost model's decisions and why")
    .option('--adapter <kind>', 'Plan for a hardware GPU or a software adapter (SwiftShader)', {
      default: 'hardware',
    })
    .example('weft plan examples/small-decoder.json --wgsl')
    .example('weft plan examples/hybrid-decoder.json')
    .example('weft plan examples/dit-block.json')
    .example('weft plan examples/small-decoder.json --explain --adapter software')
    .example('weft plan examples/small-decoder.json --precision f16')
    .action(async (givenPath: string, options: PlanOptions) => {
      const adapterProfile = ADAPTER_PROFILES[options.adapter ?? 'hardware'];
      if (adapterProfile === undefined) {
        throw new InputError('--adapter must be hardware or software', {
          expected: Object.keys(ADAPTER_PROFILES).join(' | '),
          actual: options.adapter,
        });
      }
      const precision = checkPrecisionFlags(options);
      const profile = withPrecision(adapterProfile, precision);
      const specPath = await resolveSpecPath(givenPath, io);
      const spec = await loadSpecFile(specPath);
      if (options.json === true) {
        io.out(specDocumentToJSON(spec).trimEnd());
        return;
      }
      io.out(`spec ${specPath}: valid`);
      for (const line of summarizeSpec(spec)) io.out(`  ${line}`);
      // Decoder LMs plan their decode step; the other kinds their forward pass (one sample).
      const architecture = isArchitectureSpec(spec);
      const graph = architecture
        ? buildArchitectureGraph(spec)
        : buildModelGraph(spec, { mode: 'step' }).graph;
      const ops = graphNodes(graph).filter((node) => !SOURCES.has(node.op)).length;
      const costs = fusionCostModelOf(profile);
      const { plan, memory } = runPipeline(graph, {
        fuse: true,
        fusionCosts: costs,
        ...(profile.halfStorage === true ? { halfStorage: true } : {}),
      });
      io.out(
        `kernel plan (${architecture ? 'forward pass, batch 1' : 'decode step, KV cache on the device'}` +
          `${(precision.precision ?? 'f32') === 'f32' ? '' : `; ${describePrecision(precision)}`}): ` +
          `${ops} IR ops -> ${plan.kernels.length} kernels, ` +
          `${plan.kernels.length} dispatches per ${architecture ? 'forward' : 'token'}, arena ${formatBytes(memory.arenaBytes)}`,
      );
      for (const line of formatKernelPlan(plan, memory).trimEnd().split('\n')) io.out(`  ${line}`);
      if (options.explain === true) {
        const decisions = plan.decisions ?? [];
        io.out(`fusion decisions (cost model "${costs.name}"): ${decisions.length} matmul prologue(s)`);
        for (const line of formatFusionDecisions(plan).split('\n').filter(Boolean)) io.out(`  ${line}`);
      }
      if (options.wgsl !== true) return;
      for (const kernel of generateProgram(plan, profile, {
        inputAccess: 'arena',
        extensions: [attention],
      })) {
        io.out('');
        io.out(kernel.wgsl.trimEnd());
      }
    });
}

/**
 * `profile` at the precision asked for: `--precision f16` plans for an adapter with `shader-f16`,
 * and f16 storage follows `compile`'s default unless `--half-storage` or `--no-half-storage` says.
 */
function withPrecision(profile: DeviceProfile, choice: PrecisionChoice): DeviceProfile {
  const precision = choice.precision ?? 'f32';
  if (precision === 'f32') return profile;
  const halfStorage = choice.halfStorage ?? defaultHalfStorage(precision);
  return {
    ...profile,
    precision,
    ...(precision === 'f16' ? { shaderF16: true } : {}),
    ...(halfStorage ? { halfStorage } : {}),
  };
}
