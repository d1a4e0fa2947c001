import * as A from '@weft/attention';
import { input, makeGraph, type Node, tensorRef, WeftError } from '@weft/ir';
import {
  type AnyModelSpec,
  buildDecoderLmGraph,
  buildModelGraph,
  parseModelSpec,
  parseModelSpecJSON,
} from '@weft/models';
import { TINY_LLAMA } from '@weft/models/test';
import { Prng } from './prng.js';

/** How an invalid-spec case ended. */
export type InvalidOutcome =
  /** A `WeftError` (what every invalid spec must give). */
  | 'typed'
  /** Something else was thrown: TypeError, RangeError, a stack overflow... */
  | 'untyped'
  /** Nothing was thrown although the spec is invalid by construction. */
  | 'accepted';

/** One generated invalid spec. */
export interface InvalidCase {
  /** `json-model` (the models JSON loader) or `attention-options` (the TS attention DSL). */
  readonly source: 'json-model' | 'attention-options';
  readonly seed: number;
  /** What was broken, e.g. `config.heads = NaN` or `slidingWindow(-1)`. */
  readonly mutation: string;
  /** The junk value's class, e.g. `NaN`, `negative`, `null`, `proto-key` (the allow-list keys on it). */
  readonly junk: string;
  readonly run: () => void;
}

export interface InvalidResult {
  readonly source: InvalidCase['source'];
  readonly seed: number;
  readonly mutation: string;
  readonly junk: string;
  readonly outcome: InvalidOutcome;
  readonly message?: string;
}

interface Junk {
  readonly label: string;
  readonly kind: string;
  readonly value: unknown;
}

const NUMBER_JUNK: readonly Junk[] = [
  { label: 'NaN', kind: 'NaN', value: Number.NaN },
  { label: 'Infinity', kind: 'infinite', value: Number.POSITIVE_INFINITY },
  { label: '-Infinity', kind: 'infinite', value: Number.NEGATIVE_INFINITY },
  { label: '-1', kind: 'negative', value: -1 },
  { label: '-7', kind: 'negative', value: -7 },
  { label: '0', kind: 'zero', value: 0 },
  { label: '2.5', kind: 'fraction', value: 2.5 },
  { label: '2**31', kind: 'huge-int', value: 2 ** 31 },
  { label: '2**53', kind: 'huge-int', value: 2 ** 53 },
  { label: '1e308', kind: 'huge', value: 1e308 },
  { label: '"4"', kind: 'string', value: '4' },
  { label: 'null', kind: 'null', value: null },
  { label: 'true', kind: 'boolean', value: true },
  { label: '[]', kind: 'array', value: [] },
  { label: '{}', kind: 'object', value: {} },
];

const STRING_JUNK: readonly Junk[] = [
  { label: '"bogus"', kind: 'unknown-name', value: 'bogus' },
  { label: '""', kind: 'empty-string', value: '' },
  { label: '"__proto__"', kind: 'proto-key', value: '__proto__' },
  { label: '"constructor"', kind: 'proto-key', value: 'constructor' },
  { label: '"toString"', kind: 'proto-key', value: 'toString' },
  { label: '7', kind: 'number', value: 7 },
  { label: 'null', kind: 'null', value: null },
  { label: '{}', kind: 'object', value: {} },
];

// ---------------------------------------------------------------- JSON model specs

/** A fresh, valid document with every default written out (mutations may target any key). */
function baseDocument(): Record<string, unknown> {
  const { config } = TINY_LLAMA;
  return {
    ...TINY_LLAMA,
    config: {
      ...config,
      mlp: { ...config.mlp },
      norm: { ...config.norm, placement: 'pre' },
      positions: { ...config.positions, base: 10000, fraction: 1 },
      tieEmbeddings: false,
    },
  };
}

/** Numeric fields of the model spec, with the junk each must refuse (some values are valid for some fields). */
const MODEL_NUMBER_FIELDS: readonly (readonly [path: string, invalid: (junk: Junk) => boolean])[] = [
  ['schemaVersion', () => true],
  ['config.vocabSize', (j) => j.kind !== 'huge-int' || j.value !== 2 ** 31],
  ['config.dModel', () => true],
  ['config.layers', () => true],
  ['config.heads', () => true],
  ['config.kvHeads', () => true],
  ['config.headDim', () => true],
  ['config.mlp.hidden', () => true],
  [
    'config.norm.eps',
    (j) => j.kind !== 'zero' && j.kind !== 'fraction' && j.kind !== 'huge-int' && j.kind !== 'huge',
  ],
  ['config.positions.base', (j) => j.kind !== 'fraction' && j.kind !== 'huge-int' && j.kind !== 'huge'],
  ['config.positions.fraction', (j) => j.kind !== 'fraction'],
  ['config.maxSeq', () => true],
];

const MODEL_STRING_FIELDS = [
  'kind',
  'config.mlp.kind',
  'config.norm.kind',
  'config.norm.placement',
  'config.positions.kind',
];

function setPath(document: Record<string, unknown>, path: string, value: unknown, remove = false): void {
  const keys = path.split('.');
  let target = document;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (remove) delete target[last];
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true });
}

function jsonModelCase(seed: number): InvalidCase {
  const r = new Prng(seed);
  const document = baseDocument();
  const strategy = r.weighted<string>([
    [6, 'number'],
    [3, 'string'],
    [1, 'remove'],
    [1, 'proto-key'],
    [1, 'relation'],
    [1, 'text'],
    [1, 'root'],
  ]);
  const build = (doc: unknown) => () => buildParsed(parseModelSpec(doc));
  switch (strategy) {
    case 'number': {
      const [path, invalid] = r.pick(MODEL_NUMBER_FIELDS);
      const junk = r.pick(NUMBER_JUNK.filter(invalid));
      setPath(document, path, junk.value);
      return {
        source: 'json-model',
        seed,
        mutation: `${path} = ${junk.label}`,
        junk: junk.kind,
        run: build(document),
      };
    }
    case 'string': {
      const path = r.pick(MODEL_STRING_FIELDS);
      const junk = r.pick(STRING_JUNK);
      setPath(document, path, junk.value);
      return {
        source: 'json-model',
        seed,
        mutation: `${path} = ${junk.label}`,
        junk: junk.kind,
        run: build(document),
      };
    }
    case 'remove': {
      const path = r.pick([
        'schemaVersion',
        'kind',
        'config',
        'config.heads',
        'config.mlp',
        'config.norm',
        'config.positions',
        'config.maxSeq',
      ]);
      setPath(document, path, undefined, true);
      return {
        source: 'json-model',
        seed,
        mutation: `delete ${path}`,
        junk: 'missing',
        run: build(document),
      };
    }
    case 'proto-key': {
      const key = r.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty']);
      const where = r.pick(['', 'config', 'config.mlp', 'config.positions']);
      const text = JSON.stringify(document).replace(
        where === '' ? /^\{/ : new RegExp(`"${where.split('.').pop()}":\\{`),
        (match) => `${match}"${key}":{"kind":"evil","heads":-1},`,
      );
      return {
        source: 'json-model',
        seed,
        mutation: `${where || '<root>'}.${key} = {...} (in JSON text)`,
        junk: 'proto-key',
        run: () => {
          buildParsed(parseModelSpecJSON(text));
        },
      };
    }
    case 'relation': {
      const broken = r.pick([
        ['kvHeads = 3 (does not divide heads 4)', 'config.kvHeads', 3],
        ['kvHeads = 8 (> heads)', 'config.kvHeads', 8],
        ['positions.fraction = 0.3 (headDim·fraction odd)', 'config.positions.fraction', 0.3],
        ['positions = learned, max 4 < maxSeq', 'config.positions', { kind: 'learned', max: 4 }],
        ['heads·headDim = 2**31', 'config.headDim', 2 ** 29],
        ['maxSeq = 2**31', 'config.maxSeq', 2 ** 31],
        ['vocabSize = 2**40', 'config.vocabSize', 2 ** 40],
      ] as const);
      setPath(document, broken[1], broken[2]);
      return { source: 'json-model', seed, mutation: broken[0], junk: 'relation', run: build(document) };
    }
    case 'text': {
      const text = r.pick([
        '',
        '{',
        'null',
        '[]',
        '42',
        '"spec"',
        '{"schemaVersion":1}',
        'NaN',
        '{"a":1}}',
        '\u0000',
      ]);
      return {
        source: 'json-model',
        seed,
        mutation: `JSON text ${JSON.stringify(text)}`,
        junk: text === 'null' ? 'null' : 'text',
        run: () => {
          parseModelSpecJSON(text);
        },
      };
    }
    default: {
      const junk = r.pick<Junk>([
        { label: 'null', kind: 'null', value: null },
        { label: 'undefined', kind: 'null', value: undefined },
        { label: '42', kind: 'number', value: 42 },
        { label: '[]', kind: 'array', value: [] },
        { label: 'Object.create(null)', kind: 'object', value: Object.create(null) },
        { label: 'a cyclic object', kind: 'cyclic', value: cyclic() },
      ]);
      return {
        source: 'json-model',
        seed,
        mutation: `document = ${junk.label}`,
        junk: junk.kind,
        run: build(junk.value),
      };
    }
  }
}

/**
 * Thrown instead of building a parsed spec whose sizes are too large to build here (a 2^31-layer
 * graph would take forever): the loader accepted it, which the report shows as `accepted`.
 */
export class NotBuilt extends Error {
  override readonly name = 'NotBuilt';
}

const BUILD_LIMIT = 1 << 16;

function buildParsed(spec: AnyModelSpec): void {
  if (spec.schemaVersion === 2) {
    const { vocabSize, dModel, layers, maxSeq } = spec.config;
    const sizes = { vocabSize, dModel, layers, maxSeq, hidden: spec.config.mlp.hidden };
    const huge = Object.entries(sizes).filter(([, size]) => !(size <= BUILD_LIMIT));
    if (huge.length > 0)
      throw new NotBuilt(`parsed, not built: ${huge.map(([name, size]) => `${name} = ${size}`).join(', ')}`);
    buildModelGraph(spec, { mode: 'forward' });
    return;
  }
  const c = spec.config;
  const sizes = {
    vocabSize: c.vocabSize,
    dModel: c.dModel,
    layers: c.layers,
    heads: c.heads,
    headDim: c.headDim,
    hidden: c.mlp.hidden,
    maxSeq: c.maxSeq,
  };
  const huge = Object.entries(sizes).filter(([, size]) => !(size <= BUILD_LIMIT));
  if (huge.length > 0)
    throw new NotBuilt(`parsed, not built: ${huge.map(([name, size]) => `${name} = ${size}`).join(', ')}`);
  buildDecoderLmGraph(c, { mode: 'forward' });
}

function cyclic(): unknown {
  const document = baseDocument();
  (document.config as Record<string, unknown>).mlp = document;
  return document;
}

// ---------------------------------------------------------------- TS attention options

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

function attentionOptionsCase(seed: number): InvalidCase {
  const r = new Prng(seed);
  const { mutation, junk, run } = r.chance(0.5) ? constructorJunk(r) : optionJunk(r);
  return { source: 'attention-options', seed, mutation, junk: junk.kind, run };
}

/** Draws invalid case `seed` (JSON model specs and attention options, half each). */
export function invalidCase(seed: number): InvalidCase {
  return new Prng(seed ^ 0x68e31da4).chance(0.5) ? jsonModelCase(seed) : attentionOptionsCase(seed);
}

/** Runs one invalid case: it must throw a `WeftError`. */
export function runInvalidCase(testCase: InvalidCase): InvalidResult {
  const base = {
    source: testCase.source,
    seed: testCase.seed,
    mutation: testCase.mutation,
    junk: testCase.junk,
  };
  try {
    testCase.run();
  } catch (error) {
    if (WeftError.isInstance(error))
      return { ...base, outcome: 'typed', message: `${error.name}: ${error.message}` };
    if (error instanceof NotBuilt) return { ...base, outcome: 'accepted', message: error.message };
    const message = error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${String(error)}`;
    return { ...base, outcome: 'untyped', message: message.slice(0, 300) };
  }
  return { ...base, outcome: 'accepted' };
}
