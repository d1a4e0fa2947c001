import { describe, expect, it } from 'vitest';
import { structuralPipelineKey } from './pipeline-key.js';

const layer = (name: string, scale: string) => `// Weft kernel 3: ${name}.mlp - elementwise
// tensors:
//   in_${name}_x (read): input "${name}.x" [4] f32
@group(0) @binding(0) var<storage, read> in_${name}_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out_${name}_y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = i32(id.x);
  if (i < 4) {
    out_${name}_y[i] = in_${name}_x[i] * ${scale};
  }
}
`;

describe('structuralPipelineKey', () => {
  it('is the same for modules that differ only in comments and storage names', () => {
    expect(structuralPipelineKey(layer('layers_0', '2.0'), 'main')).toBe(
      structuralPipelineKey(layer('layers_11', '2.0'), 'main'),
    );
  });

  it('differs when the code differs', () => {
    expect(structuralPipelineKey(layer('layers_0', '2.0'), 'main')).not.toBe(
      structuralPipelineKey(layer('layers_0', '3.0'), 'main'),
    );
  });

  it('differs when the storage arrays swap binding order', () => {
    const swapped = layer('a', '2.0')
      .replace('@binding(0) var<storage, read> in_a_x', '@binding(0) var<storage, read_write> out_a_y')
      .replace(
        '@binding(1) var<storage, read_write> out_a_y: array<f32>',
        '@binding(1) var<storage, read> in_a_x: array<f32>',
      );
    expect(structuralPipelineKey(swapped, 'main')).not.toBe(structuralPipelineKey(layer('a', '2.0'), 'main'));
  });

  it('differs by entry point', () => {
    expect(structuralPipelineKey(layer('a', '2.0'), 'main')).not.toBe(
      structuralPipelineKey(layer('a', '2.0'), 'other'),
    );
  });
});
