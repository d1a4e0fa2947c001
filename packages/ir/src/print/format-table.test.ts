import { describe, expect, it } from 'vitest';
import { formatTable } from './format-table.js';

describe('formatTable', () => {
  it('pads columns to their widest cell, numbers right, with a rule under the header', () => {
    const table = formatTable(
      [
        ['LayerNorm', '1', '1.23e-7', ''],
        ['RMSNorm', '12', '3.00e-4', 'FAIL'],
      ],
      { header: ['mechanism', 'kernels', 'error', ''], align: ['left', 'right', 'right'] },
    );
    expect(table.split('\n')).toEqual([
      'mechanism  kernels    error',
      '---------  -------  -------',
      'LayerNorm        1  1.23e-7',
      'RMSNorm         12  3.00e-4  FAIL',
    ]);
  });

  it('leaves a free-text last column unpadded and its rule as wide as its heading', () => {
    expect(
      formatTable(
        [
          ['a', 'a long note'],
          ['bb', ''],
        ],
        { header: ['x', 'note'] },
      ).split('\n'),
    ).toEqual(['x   note', '--  ----', 'a   a long note', 'bb']);
  });

  it('formats rows without a header, and a header without a rule', () => {
    expect(
      formatTable([
        ['width', 'd=64'],
        ['parameters', '12'],
      ]),
    ).toBe('width       d=64\nparameters  12');
    expect(formatTable([['1']], { header: ['n'], rule: false, align: ['right'] })).toBe('n\n1');
  });
});
