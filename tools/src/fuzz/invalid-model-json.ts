// Invalid-spec cases of the models JSON loader: a valid document with one field broken.
import {
  type AnyModelSpec,
  buildDecoderLmGraph,
  buildModelGraph,
  parseModelSpec,
  parseModelSpecJSON,
} from '@weft/models';
import { TINY_LLAMA } from '@weft/models/test';
import { type InvalidCase, type Junk, NUMBER_JUNK, STRING_JUNK } from './invalid-case.js';
import { Prng } from './prng.js';

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

/** A numeric field of the model spec and junk it must refuse. */
function numberJunk(r: Prng): { path: string; junk: Junk } {
  const [path, invalid] = r.pick(MODEL_NUMBER_FIELDS);
  return { path, junk: r.pick(NUMBER_JUNK.filter(invalid)) };
}

/** A name field of the model spec and junk for it. */
function stringJunk(r: Prng): { path: string; junk: Junk } {
  const path = r.pick(MODEL_STRING_FIELDS);
  return { path, junk: r.pick(STRING_JUNK) };
}

function setPath(document: Record<string, unknown>, path: string, value: unknown, remove = false): void {
  const keys = path.split('.');
  let target = document;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (remove) delete target[last];
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true });
}

/** Invalid case `seed` of the models JSON loader: one field of a valid document broken. */
export function jsonModelCase(seed: number): InvalidCase {
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
    case 'number':
    case 'string': {
      const { path, junk } = strategy === 'number' ? numberJunk(r) : stringJunk(r);
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
    refuseHuge(sizes);
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
  refuseHuge(sizes);
  buildDecoderLmGraph(c, { mode: 'forward' });
}

/** Throws `NotBuilt` when a size is beyond what is built here (or not a number it can compare). */
function refuseHuge(sizes: Readonly<Record<string, number>>): void {
  const huge = Object.entries(sizes).filter(([, size]) => !(size <= BUILD_LIMIT));
  if (huge.length > 0)
    throw new NotBuilt(`parsed, not built: ${huge.map(([name, size]) => `${name} = ${size}`).join(', ')}`);
}

function cyclic(): unknown {
  const document = baseDocument();
  (document.config as Record<string, unknown>).mlp = document;
  return document;
}
