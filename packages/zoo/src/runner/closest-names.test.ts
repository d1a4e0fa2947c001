import { describe, expect, it } from 'vitest';
import { closestNames, wrapList } from './closest-names.js';

describe('closestNames', () => {
  const names = ['layer-norm', 'rms-norm', 'entmax-1-5', 'adaptive-sparse-entmax', 'fastmax'];

  it('suggests names a typo is near, or whose dash-separated part it is near, closest first', () => {
    expect(closestNames('layer-nrom', names)).toEqual(['layer-norm']);
    expect(closestNames('ENTMX', names)).toEqual(['entmax-1-5', 'adaptive-sparse-entmax']);
    expect(closestNames('fastmx', names)).toEqual(['fastmax']);
  });

  it('suggests nothing for a name far from all', () => {
    expect(closestNames('xyz', names)).toEqual([]);
  });
});

describe('wrapList', () => {
  it('joins with commas into indented lines no wider than the width', () => {
    expect(wrapList(['alpha', 'beta', 'gamma', 'delta'], 16)).toBe('  alpha, beta,\n  gamma, delta');
    expect(wrapList([])).toBe('');
  });
});
