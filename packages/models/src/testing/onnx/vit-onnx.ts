import { UnsupportedError } from '@weft/ir';
import type { OnnxModelSpec } from '@weft/ir/test';
import type { VitDefinition } from '../../architectures/vit.js';
import { geluMlpOf, plainAttention } from './definition-parts.js';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import {
  onnxGeluMlp,
  onnxLayerNorm,
  onnxLinear,
  onnxReshape,
  onnxSelfAttention,
  onnxSlice,
} from './onnx-layers.js';

/**
 * A Vision Transformer (Dosovitskiy et al. 2021) as an ONNX graph of standard operators: the patch
 * embedding a `Conv` with kernel and stride P, patches flattened row by row (Reshape, Transpose),
 * the class token prepended (Expand, Concat), learned positions added; pre-norm blocks
 * `h += MHA(LN(h))`, `h += MLP(LN(h))` (LayerNormalization, ε 1e-6), a final LayerNormalization
 * and the linear head on the class token.
 *
 * Input `pixels` `[batch, channels, height, width]`, output `logits` `[batch, classes]`. Learned
 * positions with a class token, plain MHA and GELU MLPs only (the tiny definition's).
 */
export function vitOnnx(definition: VitDefinition, weights: OnnxWeights, batch: number): OnnxModelSpec {
  if ((definition.positions ?? 'learned') !== 'learned' || (definition.pool ?? 'cls') !== 'cls')
    throw new UnsupportedError('ViT ONNX model: written out with learned positions and a class token');
  const { patchSize, channels, dModel, classes } = definition;
  if (classes === undefined)
    throw new UnsupportedError('ViT ONNX model: written out with a classification head (`classes`)');
  const [height, width] =
    typeof definition.imageSize === 'number'
      ? [definition.imageSize, definition.imageSize]
      : [definition.imageSize[0], definition.imageSize[1]];
  const patches = (height / patchSize) * (width / patchSize);
  const tokens = patches + 1;
  const attention = plainAttention(definition.attention, 'ViT');
  const mlp = geluMlpOf(definition.mlp, 'ViT');
  const graph = new OnnxGraphBuilder(weights);
  const eps = 1e-6;

  const grid = graph.op(
    'Conv',
    [
      'pixels',
      graph.weight('patch.weight', [dModel, channels, patchSize, patchSize]),
      graph.weight('patch.bias', [dModel]),
    ],
    { kernel_shape: { ints: [patchSize, patchSize] }, strides: { ints: [patchSize, patchSize] } },
  );
  const sequence = graph.op('Transpose', [onnxReshape(graph, grid, [batch, dModel, patches])], {
    perm: { ints: [0, 2, 1] },
  });
  const cls = graph.op('Expand', [graph.weight('cls', [1, 1, dModel]), graph.ints([batch, 1, dModel])]);
  let hidden = graph.op('Add', [
    graph.op('Concat', [cls, sequence], { axis: { int: 1 } }),
    graph.weight('positions', [tokens, dModel]),
  ]);

  for (let layer = 0; layer < definition.layers; layer++) {
    const name = `layers.${layer}`;
    const normed = onnxLayerNorm(graph, hidden, dModel, eps, `${name}.attnNorm`);
    hidden = graph.op('Add', [
      hidden,
      onnxSelfAttention(graph, normed, `${name}.attn`, { dModel, batch, length: tokens, ...attention }),
    ]);
    const normed2 = onnxLayerNorm(graph, hidden, dModel, eps, `${name}.mlpNorm`);
    hidden = graph.op('Add', [
      hidden,
      onnxGeluMlp(graph, normed2, `${name}.mlp`, dModel, mlp.hidden, mlp.bias),
    ]);
  }
  const final = onnxLayerNorm(graph, hidden, dModel, eps, 'finalNorm');
  const token = graph.op('Squeeze', [onnxSlice(graph, final, 1, 0, 1), graph.ints([1])]);
  const logits = onnxLinear(graph, token, 'head.weight', [dModel, classes], 'head.bias');
  return graph.model(
    [{ name: 'pixels', type: 'float', shape: [batch, channels, height, width] }],
    [{ name: 'logits', type: 'float', shape: [batch, classes], value: logits }],
  );
}
