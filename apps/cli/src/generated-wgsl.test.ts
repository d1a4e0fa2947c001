import { readFileSync } from 'node:fs';
import { attention } from '@weft/attention/kernels';
import { runPipeline } from '@weft/ir';
import {
  buildModelGraph,
  type CachePolicy,
  InferenceCache,
  landmark,
  lte,
  nats,
  parseModelSpecJSON,
} from '@weft/models';
import {
  DEFAULT_DEVICE_PROFILE,
  type DeviceProfile,
  type GeneratedKernel,
  generateProgram,
} from '@weft/wgsl';
import { lintKernels } from '@weft/wgsl/test';
import { ZOO, ZOO_EXTENSIONS } from '@weft/zoo';
import { describe, expect, test } from 'vitest';

/** Templates excused from the lint: none. Every kernel of the corpus passes it. */
const EXCUSED_TEMPLATES = new Set<string>();

/**
 * Findings excused one by one, with the reason. An additive score (`additiveScore`) replaces q·k,
 * but the attention kernel still stages the query and keys and computes their dot product `raw`:
 * dropping them takes the query/key staging out of the template for such scores (pending).
 */
const EXCUSED_FINDINGS = /: let raw is never read$/;

const PROFILES: Readonly<Record<string, DeviceProfile>> = {
  hardware: DEFAULT_DEVICE_PROFILE,
  software: { ...DEFAULT_DEVICE_PROFILE, software: true },
  'hardware with subgroups': { ...DEFAULT_DEVICE_PROFILE, subgroups: true },
};

const example = (file: string) =>
  parseModelSpecJSON(readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8'));
const tinyDecoder = example('tiny-decoder.json');
const hybridDecoder = example('hybrid-decoder.json');
const logLinearDecoder = example('log-linear-hybrid-decoder.json');
const megaDecoder = example('mega-decoder.json');

/** The tiny decoder's step graph under an inference-cache policy. */
function tinyStepUnder(policy: CachePolicy, prefillChunk = 4) {
  const cache = new InferenceCache(tinyDecoder.config.maxSeq, { policy, prefillChunk });
  const layout = { layout: cache.layout, maxStepTokens: cache.maxStepTokens };
  return buildModelGraph(tinyDecoder, { mode: 'step', cache: layout }).graph;
}

/**
 * The corpus: every zoo entry, the example decoders' full forward and cached-step graphs (softmax,
 * hybrid, log-linear), and the tiny decoder's step under the NAtS, LTE and landmark cache policies.
 */
function corpus(): { name: string; graph: ReturnType<typeof buildModelGraph>['graph'] }[] {
  return [
    ...ZOO.map((entry) => ({ name: `zoo ${entry.id}`, graph: entry.build().graph })),
    {
      name: 'tiny decoder forward',
      graph: buildModelGraph(tinyDecoder, { mode: 'forward' }).graph,
    },
    { name: 'tiny decoder step', graph: buildModelGraph(tinyDecoder, { mode: 'step' }).graph },
    { name: 'hybrid decoder forward', graph: buildModelGraph(hybridDecoder, { mode: 'forward' }).graph },
    { name: 'hybrid decoder step', graph: buildModelGraph(hybridDecoder, { mode: 'step' }).graph },
    {
      name: 'log-linear decoder forward',
      graph: buildModelGraph(logLinearDecoder, { mode: 'forward' }).graph,
    },
    { name: 'log-linear decoder step', graph: buildModelGraph(logLinearDecoder, { mode: 'step' }).graph },
    { name: 'Mega decoder forward', graph: buildModelGraph(megaDecoder, { mode: 'forward' }).graph },
    { name: 'Mega decoder step', graph: buildModelGraph(megaDecoder, { mode: 'step' }).graph },
    { name: 'tiny decoder step, nats cache', graph: tinyStepUnder(nats(8, 2)) },
    { name: 'tiny decoder step, lte cache', graph: tinyStepUnder(lte(4, 8, 2)) },
    { name: 'tiny decoder step, landmark cache', graph: tinyStepUnder(landmark(4, 2), 1) },
  ];
}

describe('generated WGSL of the corpus reads cleanly', () => {
  for (const [profileName, profile] of Object.entries(PROFILES)) {
    test(`${profileName} profile: every declaration read, lines under 120 characters`, () => {
      const findings: string[] = [];
      let excused = 0;
      let kernels = 0;
      for (const { name, graph } of corpus()) {
        const { plan } = runPipeline(graph, { fuse: true });
        const program: GeneratedKernel[] = generateProgram(plan, profile, {
          inputAccess: 'arena',
          extensions: [...ZOO_EXTENSIONS, attention],
        });
        kernels += program.length;
        const result = lintKernels(program, EXCUSED_TEMPLATES);
        const named = result.findings.map((finding) => `${name}: ${finding}`);
        const kept = named.filter((finding) => !EXCUSED_FINDINGS.test(finding));
        findings.push(...kept);
        excused += named.length - kept.length;
        excused += result.excused.length;
      }
      expect(kernels).toBeGreaterThan(50);
      if (excused > 0)
        console.log(`${profileName}: ${excused} excused finding(s) (pending, see EXCUSED_FINDINGS)`);
      expect(findings).toEqual([]);
      // Generating the whole corpus takes tens of seconds on a loaded 2-core host: no tight limit.
    }, 300_000);
  }
});
