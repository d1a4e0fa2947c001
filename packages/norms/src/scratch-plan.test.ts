import { interpret } from '@weft/ir';
import { it } from 'vitest';
import { runPipeline } from '../../ir/src/passes/pipeline.js';
import { NORM_CATALOG } from './index.js';

it('scratch', () => {
  for (const entry of NORM_CATALOG) {
    if (!['InstanceNorm (masked)', 'AdaLIN', 'SAIN'].includes(entry.mechanism)) continue;
    const s = entry.build();
    const { plan } = runPipeline(s.graph, { fuse: true });
    console.log(entry.mechanism);
    for (const k of plan.kernels) console.log('  ', k.template, k.nodes.map((n) => `${n.op}${n.attrs.fn ? ':' + n.attrs.fn : ''}[${n.shape.join(',')}]`).join(' '), ' <- ', k.inputs.map((n) => `${n.op}[${n.shape.join(',')}]`).join(' '));
  }
});
