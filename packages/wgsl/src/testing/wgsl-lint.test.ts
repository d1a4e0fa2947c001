import { describe, expect, it } from 'vitest';
import { lintWgsl, longLines, overwrittenInitializers, unreadIdentifiers } from './wgsl-lint.js';

const MODULE = `@group(0) @binding(0) var<storage, read> in_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out_y: array<f32>;
@group(0) @binding(2) var<storage, read> in_unused: array<f32>;
var<workgroup> written_only: array<f32, 4>;

fn twice(x: f32, ignored: f32) -> f32 {
  return x * 2.0;
}

fn never_called() -> f32 {
  return 1.0;
}

@compute @workgroup_size(4, 1, 1)
fn main(@builtin(local_invocation_index) local_index: u32) {
  let i = i32(local_index);
  let dead = in_x[i];
  written_only[i] = 1.0;
  {
    let i = 3;
    out_y[i] = 0.0;
  }
  var value = 0.0;
  value = twice(in_x[i], 1.0);
  out_y[i] = value;
}
`;

describe('WGSL lint', () => {
  it('finds unread declarations, respecting block scopes and stores to bindings', () => {
    expect(unreadIdentifiers(MODULE).map((finding) => finding.message)).toEqual([
      'binding in_unused is never read',
      'workgroup var written_only is never read',
      'parameter ignored is never read',
      'fn never_called is never read',
      'let dead is never read',
    ]);
  });

  it('finds long lines and overwritten initializers', () => {
    expect(longLines(`short\n${'x'.repeat(121)}`)).toEqual([
      { line: 2, message: 'line of 121 characters (limit 120)' },
    ]);
    expect(overwrittenInitializers(MODULE)).toEqual([
      { line: 23, message: 'var value is initialized, then overwritten' },
    ]);
    expect(lintWgsl(MODULE)).toHaveLength(6);
  });
});
