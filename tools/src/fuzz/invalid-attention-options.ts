// Invalid-spec cases of the TS attention DSL: spec-part constructors and attention options given junk.
import * as A from '@weft/attention';
import { input, makeGraph, type Node, tensorRef } from '@weft/ir';
import { type InvalidCase, type Junk, NUMBER_JUNK, STRING_JUNK } from './invalid-case.js';
import { Prng } from './prng.js';

type Thunk = () => unknown;

/** Applies a spec to Q/K/V inputs of the shapes its (possibly junk) options declare. */
function applyWith(options: Record<string, unknown>, extra: Record<string, Node> = {}): void {
  const spec = A.attention(options as unknown as A.AttentionOptions);
  const heads = spec.heads as unknown as number;
  const dim = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e6 ? value : fallback;
  const h = dim(heads, 4);
  const kv = dim(options.kvHeads, h);
  const d = dim(options.headDim, 8);
  const dv = dim(options.valueDim, d);
  const { output } = A.applyAttention(spec, {
    query: input('q', [1, h, 6, d]),
    key: input('k', [1, kv, 6, d]),
    value: input('v', [1, dim(options.valueHeads, kv), 6, dv]),
    tensors: extra,
  });
  makeGraph({ output });
}

const BASE_OPTIONS = { heads: 4, kvHeads: 2, headDim: 8 } as const;

/** Spec-part constructors called with `null` for their options object. */
const NULL_ARGUMENT_CALLS: Record<string, () => unknown> = {
  rope: () => A.rope(null as never),
  alibi: () => A.alibi(null as never),
  causal: () => A.causal(null as never),
  softmax: () => A.softmax(null as never),
  qkNorm: () => A.qkNorm(null as never),
  sigmoid: () => A.sigmoid(null as never),
  nap: () => A.nap(null as never),
  identity: () => A.identity(null as never),
};

/** An integer at or beyond 2^31 (mask sizes clamp these to the i32 max). */
const beyondI32 = (junk: Junk) => junk.kind === 'huge-int' || junk.kind === 'huge';

/** Constructor calls with junk arguments (each must throw a WeftError, at construction or when applied). */
function constructorJunk(r: Prng): { mutation: string; junk: Junk; run: Thunk } {
  const n = r.pick(NUMBER_JUNK);
  const s = r.pick(STRING_JUNK);
  const asAny = (value: unknown) => value as never;
  const mask = (m: () => A.Mask) => () => applyWith({ ...BASE_OPTIONS, mask: m() });
  const norm = (m: () => A.Normalizer) => () => applyWith({ ...BASE_OPTIONS, normalizer: m() });
  const choices: [string, Junk, Thunk, boolean][] = [
    // [mutation, junk, thunk, whether the junk is invalid for this call]
    // Integer mask sizes beyond i32 clamp to the i32 max (a window, prefix, chunk or stride covering
    // every position): valid, not junk.
    [`slidingWindow(${n.label})`, n, mask(() => A.slidingWindow(asAny(n.value))), !beyondI32(n)],
    [`chunked(${n.label})`, n, mask(() => A.chunked(asAny(n.value))), !beyondI32(n)],
    [`prefixLM(${n.label})`, n, mask(() => A.prefixLM(asAny(n.value))), n.kind !== 'zero' && !beyondI32(n)],
    [`blockCausal(${n.label})`, n, mask(() => A.blockCausal(asAny(n.value))), !beyondI32(n)],
    [`stridedSparse(${n.label})`, n, mask(() => A.stridedSparse(asAny(n.value))), !beyondI32(n)],
    [`fixedSparse(8, ${n.label})`, n, mask(() => A.fixedSparse(8, asAny(n.value))), true],
    [`causal({ align: ${s.label} })`, s, mask(() => A.causal({ align: asAny(s.value) })), true],
    [
      `softcap(${n.label})`,
      n,
      () => applyWith({ ...BASE_OPTIONS, score: A.softcap(asAny(n.value)) }),
      !['fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `scale(${n.label})`,
      n,
      () => applyWith({ ...BASE_OPTIONS, score: A.scale(asAny(n.value)) }),
      !['zero', 'negative', 'fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `rope({ base: ${n.label} })`,
      n,
      () => applyWith({ ...BASE_OPTIONS, positions: A.rope({ base: asAny(n.value) }) }),
      !['fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `rope({ fraction: ${n.label} })`,
      n,
      () => applyWith({ ...BASE_OPTIONS, positions: A.rope({ fraction: asAny(n.value) }) }),
      true,
    ],
    [
      `rope({ layout: ${s.label} })`,
      s,
      () => applyWith({ ...BASE_OPTIONS, positions: A.rope({ layout: asAny(s.value) }) }),
      true,
    ],
    [
      `rope({ dims: 2, grid: [${n.label}, 2] })`,
      n,
      () => applyWith({ ...BASE_OPTIONS, positions: A.rope({ dims: 2, grid: asAny([n.value, 2]) }) }),
      true,
    ],
    [
      `softmax({ sink: ${n.label} })`,
      n,
      norm(() => A.softmax({ sink: asAny(n.value) })),
      !['zero', 'negative', 'fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `sigmoid({ bias: ${n.label} })`,
      n,
      norm(() => A.sigmoid({ bias: asAny(n.value) })),
      !['zero', 'negative', 'fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `entmax({ alpha: ${n.label} })`,
      n,
      norm(() => A.entmax({ alpha: asAny(n.value) })),
      !['fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `nap({ epsilon: ${n.label} })`,
      n,
      norm(() => A.nap({ epsilon: asAny(n.value) })),
      !['zero', 'fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [`identity({ outputNorm: ${s.label} })`, s, norm(() => A.identity({ outputNorm: asAny(s.value) })), true],
    [
      `groupedSoftmax({ blockSize: ${n.label} })`,
      n,
      norm(() => A.groupedSoftmax({ blockSize: asAny(n.value) })),
      true,
    ],
    [
      `polynomialNormalized({ degree: ${n.label} })`,
      n,
      norm(() => A.polynomialNormalized({ degree: asAny(n.value) })),
      true,
    ],
    [
      `softplusNormalized({ lengthScale: ${n.label} })`,
      n,
      norm(() => A.softplusNormalized({ lengthScale: asAny(n.value) })),
      !['fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `topTheta({ compensation: ${s.label} })`,
      s,
      norm(() => A.topTheta({ threshold: tensorRef('theta', [4]), compensation: asAny(s.value) })),
      true,
    ],
    [
      `qkNorm({ kind: ${s.label} })`,
      s,
      () => applyWith({ ...BASE_OPTIONS, qkNorm: A.qkNorm({ kind: asAny(s.value) }) }),
      true,
    ],
    [
      `qkNorm({ eps: ${n.label} })`,
      n,
      () => applyWith({ ...BASE_OPTIONS, qkNorm: A.qkNorm({ eps: asAny(n.value) }) }),
      !['zero', 'fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `weightedGqa({ heads: 4, kvHeads: ${n.label} })`,
      n,
      () =>
        applyWith({
          ...BASE_OPTIONS,
          heads: A.weightedGqa({ heads: 4, kvHeads: asAny(n.value), weights: 'learned' }),
        }),
      true,
    ],
    [
      `pLaplacian({ p: ${n.label} })`,
      n,
      norm(() => A.pLaplacian({ features: tensorRef('x', [1, 4, 6, 8]), p: asAny(n.value), mu: 0.5 })),
      !['fraction', 'huge-int', 'huge'].includes(n.kind),
    ],
    [
      `keyBias(tensorRef(${s.label}, [6]))`,
      s,
      () => {
        const name = s.value as string;
        const tensors: Record<string, Node> = {};
        Object.defineProperty(tensors, String(name), { value: input(String(name), [6]), enumerable: true });
        applyWith({ ...BASE_OPTIONS, score: A.keyBias(tensorRef(name, [6])) }, tensors);
      },
      s.kind !== 'unknown-name' && s.kind !== 'proto-key',
    ],
    [
      `${r.pick(['rope', 'alibi', 'causal', 'softmax', 'qkNorm', 'sigmoid', 'nap', 'identity'])}(null)`,
      { label: 'null', kind: 'null', value: null },
      () => {},
      true,
    ],
  ];
  // null for an optional option reads as "absent" (like undefined): not junk there.
  const optional =
    /^(causal|rope|softmax|sigmoid|nap|identity|softplusNormalized|polynomialNormalized|topTheta|qkNorm)\(\{/;
  const [mutation, junk, run, invalid] = r.pick(
    choices.filter(
      ([mutation, junk, , invalid]) => invalid && !(junk.kind === 'null' && optional.test(mutation)),
    ),
  );
  // Only the options-object calls of NULL_ARGUMENT_CALLS (`slidingWindow(null)` runs its own thunk).
  const build = mutation.endsWith('(null)') ? NULL_ARGUMENT_CALLS[mutation.slice(0, -6)] : undefined;
  if (build !== undefined)
    return { mutation, junk, run: () => applyWith({ ...BASE_OPTIONS, positions: build() }) };
  void invalid;
  return { mutation, junk, run };
}

/** Fields of the attention options, with junk that is invalid for each. */
function optionJunk(r: Prng): { mutation: string; junk: Junk; run: Thunk } {
  const field = r.pick([
    'heads',
    'kvHeads',
    'valueHeads',
    'headDim',
    'valueDim',
    'positions',
    'qkNorm',
    'score',
    'mask',
    'normalizer',
    'outputs',
    'name',
    'options',
  ]);
  if (field === 'options') {
    const junk = r.pick<Junk>([
      { label: 'null', kind: 'null', value: null },
      { label: 'undefined', kind: 'null', value: undefined },
      { label: '{}', kind: 'object', value: {} },
      { label: '"attention"', kind: 'string', value: 'attention' },
    ]);
    return {
      mutation: `attention(${junk.label})`,
      junk,
      run: () => applyWith(junk.value as Record<string, unknown>),
    };
  }
  let junk: Junk;
  if (field === 'name') junk = r.pick(STRING_JUNK.filter((j) => ['number', 'object'].includes(j.kind)));
  else if (['positions', 'qkNorm', 'score', 'mask', 'normalizer', 'outputs'].includes(field))
    junk = r.pick<Junk>([
      { label: '{}', kind: 'object', value: {} },
      { label: '"causal"', kind: 'string', value: 'causal' },
      { label: '42', kind: 'number', value: 42 },
      { label: '[{}]', kind: 'array', value: [{}] },
      {
        label: '{ kind, name: "bogus" } (forged)',
        kind: 'forged',
        value: {
          kind:
            field === 'score'
              ? 'scoreMod'
              : field === 'normalizer'
                ? 'normalizer'
                : field === 'positions'
                  ? 'position'
                  : field,
          name: 'bogus',
        },
      },
      ...(field === 'outputs' ? [] : [{ label: 'NaN', kind: 'NaN', value: Number.NaN }]),
    ]);
  else {
    const allowed =
      field === 'kvHeads' || field === 'valueHeads'
        ? [
            ...NUMBER_JUNK.filter((j) => j.kind !== 'null'),
            { label: '3 (does not divide 4)', kind: 'relation', value: 3 },
          ]
        : NUMBER_JUNK.filter((j) => j.kind !== 'null');
    junk = r.pick(allowed);
  }
  if (field === 'outputs' && junk.kind === 'object') junk = { label: '"lse"', kind: 'string', value: 'lse' };
  const options: Record<string, unknown> = { ...BASE_OPTIONS, [field]: junk.value };
  return { mutation: `attention({ ..., ${field}: ${junk.label} })`, junk, run: () => applyWith(options) };
}

/** Invalid case `seed` of the attention DSL: junk constructor arguments or attention options. */
export function attentionOptionsCase(seed: number): InvalidCase {
  const r = new Prng(seed);
  const { mutation, junk, run } = r.chance(0.5) ? constructorJunk(r) : optionJunk(r);
  return { source: 'attention-options', seed, mutation, junk: junk.kind, run };
}
