import { internNode, type Node } from '../graph/node.js';
import { emptyTensor64 } from '../interpret/tensor64.js';
import { integerAttr, integersAttr } from './attr-readers.js';
import { type ConvGeometry, inferConv } from './conv-shape.js';
import type { OpDef, Tensor64 } from './op-table.js';

/** Options of {@link conv1d}. */
export interface Conv1dOptions {
  /** Step between output positions (default 1). */
  readonly stride?: number;
  /** `[left, right]` zero padding, one number for both sides, or `'causal'` (`[(K−1)·dilation, 0]`). Default 0. */
  readonly padding?: number | readonly [number, number] | 'causal';
  /** Spacing between kernel taps (default 1). */
  readonly dilation?: number;
  /** Channel groups (default 1; `groups = Cin` is depthwise). */
  readonly groups?: number;
}

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** `[sh, sw]`, or one number for both (default 1). */
  readonly stride?: number | readonly [number, number];
  /** `[top, bottom, left, right]`, or one number for all sides (default 0). */
  readonly padding?: number | readonly [number, number, number, number];
  /** `[dh, dw]`, or one number for both (default 1). */
  readonly dilation?: number | readonly [number, number];
  /** Channel groups (default 1; `groups = Cin` is depthwise). */
  readonly groups?: number;
}

/**
 * 1-D convolution (cross-correlation, as PyTorch and ONNX): input `[B, Cin, L]`, weight
 * `[Cout, Cin/groups, K]`, optional bias `[Cout]` → `[B, Cout, Lout]`,
 * `out[b, o, t] = bias[o] + Σ_{c,k} x[b, g·Cin/groups + c, t·stride − left + k·dilation] · w[o, c, k]`.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 100]); // [batch, channels, length]
 * const y = conv1d(x, param('conv.w', [32, 16, 3]), param('conv.b', [32]), { padding: 'causal' }); // [1, 32, 100]
 * ```
 */
export function conv1d(x: Node, weight: Node, bias?: Node, options: Conv1dOptions = {}): Node {
  const dilation = options.dilation ?? 1;
  const kernel = weight.shape[2];
  const padding =
    options.padding === 'causal'
      ? [(typeof kernel === 'number' ? kernel - 1 : 0) * dilation, 0]
      : typeof options.padding === 'number'
        ? [options.padding, options.padding]
        : [...(options.padding ?? [0, 0])];
  const attrs = { stride: options.stride ?? 1, padding, dilation, groups: options.groups ?? 1 };
  return internNode(conv1dOp, bias === undefined ? [x, weight] : [x, weight, bias], attrs);
}

/**
 * 2-D convolution: input `[B, Cin, H, W]`, weight `[Cout, Cin/groups, KH, KW]`, optional bias `[Cout]`.
 *
 * @example
 * ```ts
 * const x = input('image', [1, 3, 32, 32]); // [batch, channels, height, width]
 * const y = conv2d(x, param('conv.w', [16, 3, 3, 3]), undefined, { padding: 1 }); // [1, 16, 32, 32]
 * ```
 */
export function conv2d(x: Node, weight: Node, bias?: Node, options: Conv2dOptions = {}): Node {
  const pair = (value: number | readonly number[] | undefined, fallback: number): number[] =>
    typeof value === 'number' ? [value, value] : [...(value ?? [fallback, fallback])];
  const padding =
    typeof options.padding === 'number'
      ? new Array<number>(4).fill(options.padding)
      : [...(options.padding ?? [0, 0, 0, 0])];
  const attrs = {
    stride: pair(options.stride, 1),
    padding,
    dilation: pair(options.dilation, 1),
    groups: options.groups ?? 1,
  };
  return internNode(conv2dOp, bias === undefined ? [x, weight] : [x, weight, bias], attrs);
}

const conv1dGeometry = (attrs: Node['attrs'], context = { op: 'conv1d' }): ConvGeometry => {
  const [left, right] = integersAttr(attrs, 'padding', context, 2) as [number, number];
  return {
    stride: [1, integerAttr(attrs, 'stride', context)],
    padBefore: [0, left],
    padAfter: [0, right],
    dilation: [1, integerAttr(attrs, 'dilation', context)],
    groups: integerAttr(attrs, 'groups', context),
  };
};

const conv2dGeometry = (attrs: Node['attrs'], context = { op: 'conv2d' }): ConvGeometry => {
  const [top, bottom, left, right] = integersAttr(attrs, 'padding', context, 4) as [
    number,
    number,
    number,
    number,
  ];
  return {
    stride: integersAttr(attrs, 'stride', context, 2),
    padBefore: [top, left],
    padAfter: [bottom, right],
    dilation: integersAttr(attrs, 'dilation', context, 2),
    groups: integerAttr(attrs, 'groups', context),
  };
};

/** Drops the leading unit spatial axis a 1-D convolution is computed with. */
const withoutUnitAxis = (geometry: ConvGeometry): ConvGeometry => ({
  stride: geometry.stride.slice(1),
  padBefore: geometry.padBefore.slice(1),
  padAfter: geometry.padAfter.slice(1),
  dilation: geometry.dilation.slice(1),
  groups: geometry.groups,
});

/** `conv1d`: `{ stride, padding: [left, right], dilation, groups }`. */
export const conv1dOp: OpDef = {
  name: 'conv1d',
  arity: 'variadic',
  fusion: 'opaque',
  infer: (inputs, attrs, context) =>
    inferConv(inputs, withoutUnitAxis(conv1dGeometry(attrs, context)), context),
  evaluatesF32: true,
  evaluate([x, weight, bias], attrs, node, env) {
    // A 1-D convolution is a 2-D one over a unit height.
    const lift = (t: Tensor64): Tensor64 => ({ ...t, shape: [...t.shape.slice(0, 2), 1, t.shape[2]!] });
    const out = convolve2d(
      lift(x!),
      lift(weight!),
      bias,
      conv1dGeometry(attrs),
      node,
      env.precision === 'f32',
    );
    return { ...out, shape: [out.shape[0]!, out.shape[1]!, out.shape[3]!] };
  },
};

/** `conv2d`: `{ stride: [sh, sw], padding: [top, bottom, left, right], dilation: [dh, dw], groups }`. */
export const conv2dOp: OpDef = {
  name: 'conv2d',
  arity: 'variadic',
  fusion: 'opaque',
  infer: (inputs, attrs, context) => inferConv(inputs, conv2dGeometry(attrs, context), context),
  evaluatesF32: true,
  evaluate: ([x, weight, bias], attrs, node, env) =>
    convolve2d(x!, weight!, bias, conv2dGeometry(attrs), node, env.precision === 'f32'),
};

function convolve2d(
  x: Tensor64,
  weight: Tensor64,
  bias: Tensor64 | undefined,
  geometry: ConvGeometry,
  node: Node,
  precisionF32: boolean,
): Tensor64 {
  // f32: each product and partial sum rounded, accumulated in loop order from the bias.
  const f32 = precisionF32 && (node.dtype === 'f32' || node.dtype === 'f16');
  const [batch, inputChannels, height, width] = x.shape as [number, number, number, number];
  const [outputChannels, groupChannels, kernelHeight, kernelWidth] = weight.shape as [
    number,
    number,
    number,
    number,
  ];
  const [strideH, strideW] = geometry.stride as [number, number];
  const [dilationH, dilationW] = geometry.dilation as [number, number];
  const [top, left] = geometry.padBefore as [number, number];
  const outSize = (size: number, kernel: number, s: number): number =>
    Math.floor(
      (size + geometry.padBefore[s]! + geometry.padAfter[s]! - geometry.dilation[s]! * (kernel - 1) - 1) /
        geometry.stride[s]!,
    ) + 1;
  const outH = outSize(height, kernelHeight, 0);
  const outW = outSize(width, kernelWidth, 1);
  const result = emptyTensor64([batch, outputChannels, outH, outW], node.dtype);
  const outputsPerGroup = outputChannels / geometry.groups;
  let offset = 0;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outputChannels; o++) {
      const firstChannel = Math.floor(o / outputsPerGroup) * groupChannels;
      for (let row = 0; row < outH; row++) {
        for (let col = 0; col < outW; col++) {
          let total = bias?.data[o] ?? 0;
          for (let c = 0; c < groupChannels; c++) {
            for (let kh = 0; kh < kernelHeight; kh++) {
              const y = row * strideH - top + kh * dilationH;
              if (y < 0 || y >= height) continue;
              for (let kw = 0; kw < kernelWidth; kw++) {
                const xPosition = col * strideW - left + kw * dilationW;
                if (xPosition < 0 || xPosition >= width) continue;
                const input =
                  x.data[((b * inputChannels + firstChannel + c) * height + y) * width + xPosition]!;
                const product =
                  input * weight.data[((o * groupChannels + c) * kernelHeight + kh) * kernelWidth + kw]!;
                total = f32 ? Math.fround(total + Math.fround(product)) : total + product;
              }
            }
          }
          result.data[offset++] = total;
        }
      }
    }
  }
  return result;
}
