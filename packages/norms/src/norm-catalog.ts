import { type Graph, input, makeGraph, type Node } from '@weft/ir';
import { adaIn, styleAdaptiveInstanceNorm } from './ada-in.js';
import { adaLin, instanceLayerNorm } from './ada-lin.js';
import { adaLnZero } from './ada-ln-zero.js';
import { batchNorm } from './batch-norm.js';
import { fixNorm } from './fix-norm.js';
import { gaussianAdaptiveAttention } from './gaussian-adaptive-attention.js';
import { groupNorm } from './group-norm.js';
import { hypersphereNormalize, sphericalResidual } from './hypersphere.js';
import { instanceNorm } from './instance-norm.js';
import { l2Norm } from './l2-norm.js';
import { layerNorm } from './layer-norm.js';
import { rmsNorm, simpleRmsNorm } from './rms-norm.js';
import { type SampleValues, sampleValues } from './sample-values.js';
import { scaleNorm } from './scale-norm.js';
import { spade } from './spade.js';
import { taskLayerNorm } from './task-layer-norm.js';

/** A ready-to-run instance of one normalization layer: its graph and seeded values for every input and parameter. */
export interface NormSample extends SampleValues {
  /** The layer's graph (outputs `y`, and `gate` for adaLN-Zero). */
  readonly graph: Graph;
}

/** One catalog mechanism of `@weft/norms`, with a small default instance. */
export interface NormCatalogEntry {
  /** Mechanism name, e.g. `LayerNorm`. */
  readonly mechanism: string;
  /** Catalog paper id(s) (`docs/catalog/`), e.g. `34`; several as `3, 4`. */
  readonly paper: string;
  /** Builds the graph with small static shapes and seeded values. */
  readonly build: () => NormSample;
}

const sample = (
  outputs: Record<string, Node>,
  seed: number,
  fixed: Parameters<typeof sampleValues>[2] = {},
): NormSample => {
  const graph = makeGraph(outputs);
  return { graph, ...sampleValues(graph, seed, fixed) };
};

const validFrames = (batch: number, frames: number, valid: readonly number[]): Float32Array =>
  Float32Array.from({ length: batch * frames }, (_, i) =>
    i % frames < valid[Math.floor(i / frames)]! ? 1 : 0,
  );

/** Every G3 normalization layer of the catalog with a small default instance (what `@weft/zoo` runs). */
export const NORM_CATALOG: readonly NormCatalogEntry[] = [
  { mechanism: 'LayerNorm', paper: '34', build: () => sample({ y: layerNorm(input('x', [4, 37, 96])) }, 1) },
  { mechanism: 'RMSNorm', paper: '34', build: () => sample({ y: rmsNorm(input('x', [4, 37, 96])) }, 2) },
  {
    mechanism: 'Simple RMSNorm',
    paper: '19',
    build: () => sample({ y: simpleRmsNorm(input('x', [4, 37, 96])) }, 3),
  },
  { mechanism: 'ScaleNorm', paper: '28', build: () => sample({ y: scaleNorm(input('x', [4, 37, 96])) }, 4) },
  { mechanism: 'FixNorm', paper: '28', build: () => sample({ y: fixNorm(input('x', [4, 37, 96])) }, 5) },
  {
    mechanism: 'GroupNorm',
    paper: '61',
    build: () => sample({ y: groupNorm(input('x', [2, 32, 9, 7]), { groups: 8 }) }, 6),
  },
  {
    mechanism: 'InstanceNorm (masked)',
    paper: '3, 4',
    build: () =>
      sample(
        { y: instanceNorm(input('x', [3, 16, 41]), { mask: input('mask', [3, 41]), affine: true }) },
        7,
        {
          mask: validFrames(3, 41, [41, 30, 1]),
        },
      ),
  },
  {
    mechanism: 'BatchNorm (inference)',
    paper: '61',
    build: () => sample({ y: batchNorm(input('x', [2, 16, 9, 7])) }, 8),
  },
  {
    mechanism: 'QKNorm (L2 norm, learned scale)',
    paper: '12',
    build: () => sample({ y: l2Norm(input('q', [2, 4, 33, 64]), { scale: 'scalar' }) }, 9),
  },
  {
    mechanism: 'AdaIN',
    paper: '3, 4',
    build: () => sample({ y: adaIn(input('x', [2, 16, 9, 7]), input('style', [2, 24])) }, 10),
  },
  {
    mechanism: 'SAIN',
    paper: '3, 4',
    build: () =>
      sample(
        {
          y: styleAdaptiveInstanceNorm(input('h', [3, 16, 41]), input('style', [3, 24]), {
            mask: input('mask', [3, 41]),
          }),
        },
        11,
        {
          mask: validFrames(3, 41, [41, 17, 3]),
        },
      ),
  },
  {
    mechanism: 'AdaLIN',
    paper: '1',
    build: () =>
      sample(
        {
          y: adaLin(input('x', [2, 16, 9, 7]), {
            gamma: input('gamma', [2, 16]),
            beta: input('beta', [2, 16]),
          }),
        },
        12,
      ),
  },
  {
    mechanism: 'ILN',
    paper: '1',
    build: () => sample({ y: instanceLayerNorm(input('x', [2, 16, 9, 7])) }, 13),
  },
  {
    mechanism: 'adaLN-Zero',
    paper: '5',
    build: () => {
      const { modulated, gate } = adaLnZero(input('x', [2, 33, 64]), input('c', [2, 48]));
      return sample({ y: modulated, gate }, 14);
    },
  },
  {
    mechanism: 'SPADE',
    paper: '61',
    build: () =>
      sample(
        { y: spade(input('x', [1, 8, 8, 8]), input('segmentation', [1, 5, 16, 16]), { hidden: 16 }) },
        15,
      ),
  },
  {
    mechanism: 'nGPT normalize',
    paper: '85',
    build: () => sample({ y: hypersphereNormalize(input('h', [4, 37, 96])) }, 16),
  },
  {
    mechanism: 'nGPT spherical residual',
    paper: '85',
    build: () => sample({ y: sphericalResidual(input('h', [4, 37, 96]), input('update', [4, 37, 96])) }, 17),
  },
  {
    mechanism: 'LayerNorm tuning (per-task sets)',
    paper: '110',
    build: () =>
      sample({ y: taskLayerNorm(input('x', [3, 17, 96]), input('task', [3], 'i32'), { tasks: 5 }) }, 18, {
        task: Int32Array.of(4, 0, 2),
      }),
  },
  {
    mechanism: 'GAAM',
    paper: '69',
    build: () => {
      const x = input('x', [4, 37, 96]);
      const drawn = sample({ y: gaussianAdaptiveAttention(x, { heads: 4, gaussians: 3, name: 'gaam' }) }, 19);
      // |c| in [0.6, 1.4]: the reference initializes c ~ N(0, 1); a very narrow Gaussian magnifies f32 rounding of z.
      const scales = drawn.params['gaam.scales']!.map(
        (value) => Math.sign(value) * (0.5 + Math.abs(value) * 0.9),
      );
      return { ...drawn, params: { ...drawn.params, 'gaam.scales': scales } };
    },
  },
];
