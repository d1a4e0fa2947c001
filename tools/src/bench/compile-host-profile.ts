import { attention } from '@weft/attention/kernels';
import { runPipeline } from '@weft/ir';
import { buildModelGraph, parseModelSpec } from '@weft/models';
import { fusionCostModelOf, generateProgram } from '@weft/wgsl';
import { REPLAY_PROFILES } from '../replay/corpus.js';
import { demoSpecWithLayers } from './compile-time.js';

const profile = REPLAY_PROFILES[process.argv[2] ?? 'software']!;
const runs = Number(process.argv[3] ?? 20);
const spec = demoSpecWithLayers(12);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const rows: Record<string, number[][]> = { shared: [], unshared: [] };
for (let run = 0; run < runs; run++) {
  for (const mode of run % 2 === 0 ? ['shared', 'unshared'] : ['unshared', 'shared']) {
    const c0 = cpu();
    const built = buildModelGraph(parseModelSpec(spec), { mode: 'step' });
    const c1 = cpu();
    const { plan } = runPipeline(built.graph, { fusionCosts: fusionCostModelOf(profile) });
    const c2 = cpu();
    generateProgram(plan, profile, { extensions: [attention], shareKernels: mode === 'shared' });
    const c3 = cpu();
    rows[mode]!.push([c1 - c0, c2 - c1, c3 - c2, c3 - c0]);
  }
}
for (const [mode, r] of Object.entries(rows)) {
  const med = (i: number) => { const s = r.slice(2).map((x) => x[i]!).sort((a, b) => a - b); return s[s.length >> 1]!.toFixed(1); };
  console.log(`${mode} CPU ms: graph ${med(0)} passes ${med(1)} wgsl ${med(2)} total ${med(3)}`);
}
