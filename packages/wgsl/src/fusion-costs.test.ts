import { HARDWARE_FUSION_COSTS, SOFTWARE_FUSION_COSTS } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { fusionCostModelOf } from './fusion-costs.js';
import { DEFAULT_DEVICE_PROFILE } from './generated-kernel.js';
import {
  DIRECT_BLOCK_COLUMNS,
  MATMUL_BLOCK,
  MATMUL_DIRECT_WIDTH,
  MATMUL_TILE,
} from './templates/matmul-strategy.js';

describe('fusionCostModelOf', () => {
  test('a software adapter: the software table, with the direct strategy reuse', () => {
    const costs = fusionCostModelOf({ ...DEFAULT_DEVICE_PROFILE, software: true });
    expect(costs).toMatchObject({ name: 'software', opNs: SOFTWARE_FUSION_COSTS.opNs });
    expect(costs.matmul).toEqual({
      rowsPerEvaluation: MATMUL_BLOCK,
      columnsPerEvaluation: DIRECT_BLOCK_COLUMNS,
      statisticColumns: MATMUL_DIRECT_WIDTH * DIRECT_BLOCK_COLUMNS,
    });
    expect(costs.matmul).toEqual(SOFTWARE_FUSION_COSTS.matmul);
  });

  test('a hardware GPU: the hardware table, with the staged tile reuse', () => {
    const costs = fusionCostModelOf(DEFAULT_DEVICE_PROFILE);
    expect(costs.name).toBe('hardware');
    expect(costs.matmul).toEqual({
      rowsPerEvaluation: MATMUL_TILE,
      columnsPerEvaluation: MATMUL_TILE,
      statisticColumns: MATMUL_TILE,
    });
    expect(costs.matmul).toEqual(HARDWARE_FUSION_COSTS.matmul);
  });

  test('measured values replace the table', () => {
    const costs = fusionCostModelOf(DEFAULT_DEVICE_PROFILE, {
      dispatchNs: 5_000,
      matmul: { statisticColumns: 64 },
    });
    expect(costs.dispatchNs).toBe(5_000);
    expect(costs.byteNs).toBe(HARDWARE_FUSION_COSTS.byteNs);
    expect(costs.matmul.statisticColumns).toBe(64);
    expect(costs.matmul.columnsPerEvaluation).toBe(MATMUL_TILE);
  });
});
