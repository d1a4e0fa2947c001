import type { OnnxModelSpec } from '@weft/ir/test';
import type { DitDefinition } from '../../architectures/dit.js';
import { geluMlpOf, plainAttention } from './definition-parts.js';
import { OnnxGraphBuilder, type OnnxWeights } from './onnx-graph-builder.js';
import { onnxGeluMlp, onnxLayerNorm, onnxLinear, onnxSelfAttention, onnxSilu } from './onnx-layers.js';

/**
 * DiT blocks (Peebles & Xie 2023) as an ONNX graph of standard operators: tokens projected to the
 * stream plus learned positions; the timestep embedding `[cos(t·f), sin(t·f)]` with
 * `f_i = maxPeriod^(−i/half)` (Mul, Cos, Sin, Concat) through Linear → SiLU → Linear into `c`;
 * in every block, for the attention and then the MLP, `(shift, scale, gate) = Split(Linear(SiLU(c)))`
 * and `h += gate · f(LN(h) · (1 + scale) + shift)` (LayerNormalization without affine, ε 1e-6);
 * the final layer `Linear(LN(h) · (1 + scale) + shift)` with its own shift and scale.
 *
 * Inputs `x` `[batch, tokens, inFeatures]` and `timestep` `[batch]`, output `output`
 * `[batch, tokens, outFeatures]`. Plain MHA and GELU MLPs only (the tiny definition's).
 */
export function ditOnnx(definition: DitDefinition, weights: OnnxWeights, batch: number): OnnxModelSpec {
  const { inFeatures, tokens, dModel, outFeatures } = definition;
  const frequencies = definition.timestepFrequencies ?? 256;
  const maxPeriod = definition.maxPeriod ?? 10_000;
  const attention = plainAttention(definition.attention, 'DiT');
  const mlp = geluMlpOf(definition.mlp, 'DiT');
  const graph = new OnnxGraphBuilder(weights);
  const eps = 1e-6;

  let hidden = graph.op('Add', [
    onnxLinear(graph, 'x', 'inputProj.weight', [inFeatures, dModel], 'inputProj.bias'),
    graph.weight('positions', [tokens, dModel]),
  ]);
  const half = frequencies / 2;
  const rates = Array.from({ length: half }, (_, i) => maxPeriod ** (-i / half));
  const angles = graph.op('Mul', [
    graph.op('Unsqueeze', ['timestep', graph.ints([1])]),
    graph.constant(rates, [1, half]),
  ]);
  const sinusoids = graph.op('Concat', [graph.op('Cos', [angles]), graph.op('Sin', [angles])], {
    axis: { int: 1 },
  });
  const condition = onnxLinear(
    graph,
    onnxSilu(
      graph,
      onnxLinear(graph, sinusoids, 'timestep.fc1.weight', [frequencies, dModel], 'timestep.fc1.bias'),
    ),
    'timestep.fc2.weight',
    [dModel, dModel],
    'timestep.fc2.bias',
  );
  const activated = onnxSilu(graph, condition);
  // `chunks` modulation vectors [batch, 1, d] from the columns of `${name}.modulation.weight`.
  const modulation = (name: string, chunks: number) => {
    const projected = onnxLinear(
      graph,
      activated,
      `${name}.modulation.weight`,
      [dModel, chunks * dModel],
      `${name}.modulation.bias`,
    );
    return graph
      .ops('Split', [projected, graph.ints(Array(chunks).fill(dModel))], chunks, { axis: { int: 1 } })
      .map((chunk) => graph.op('Unsqueeze', [chunk, graph.ints([1])]));
  };
  const modulate = (x: string, shift: string, scale: string) =>
    graph.op('Add', [
      graph.op('Mul', [onnxLayerNorm(graph, x, dModel, eps), graph.op('Add', [scale, graph.scalar(1)])]),
      shift,
    ]);

  for (let layer = 0; layer < definition.layers; layer++) {
    const name = `layers.${layer}`;
    for (const part of ['attn', 'mlp'] as const) {
      const [shift, scale, gate] = modulation(`${name}.${part}Residual`, 3) as [string, string, string];
      const input = modulate(hidden, shift, scale);
      const output =
        part === 'attn'
          ? onnxSelfAttention(graph, input, `${name}.attn`, { dModel, batch, length: tokens, ...attention })
          : onnxGeluMlp(graph, input, `${name}.mlp`, dModel, mlp.hidden, mlp.bias);
      hidden = graph.op('Add', [hidden, graph.op('Mul', [gate, output])]);
    }
  }
  const [shift, scale] = modulation('finalNorm', 2) as [string, string];
  const output = onnxLinear(
    graph,
    modulate(hidden, shift, scale),
    'head.weight',
    [dModel, outFeatures],
    'head.bias',
  );
  return graph.model(
    [
      { name: 'x', type: 'float', shape: [batch, tokens, inFeatures] },
      { name: 'timestep', type: 'float', shape: [batch] },
    ],
    [{ name: 'output', type: 'float', shape: [batch, tokens, outFeatures], value: output }],
  );
}
