import { WeftError } from '@weft/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelSpecToJSON, parseModelSpec, parseModelSpecJSON } from './model-spec-json.js';
import type { ModelSpec, ModelSpecInput } from './model-spec-types.js';

const smallLm: ModelSpecInput = {
  schemaVersion: 1,
  kind: 'decoder-lm',
  config: {
    vocabSize: 256,
    dModel: 128,
    layers: 4,
    heads: 8,
    kvHeads: 2,
    headDim: 16,
    mlp: { kind: 'swiglu', hidden: 344 },
    norm: { kind: 'rmsnorm', eps: 1e-6 },
    positions: { kind: 'rope' },
    maxSeq: 256,
  },
};

function withConfig(patch: Record<string, unknown>): unknown {
  return { ...smallLm, config: { ...smallLm.config, ...patch } };
}

function messageOf(document: unknown): string {
  try {
    parseModelSpec(document);
  } catch (error) {
    expect(WeftError.isInstance(error) && error.code).toBe('spec');
    return (error as Error).message;
  }
  throw new Error('expected a SpecError, but the document parsed');
}

/** Valid decoder specs: kvHeads divides heads, rotary dims are even, learned positions cover maxSeq. */
const validSpec: fc.Arbitrary<ModelSpec> = fc
  .record({
    vocabSize: fc.integer({ min: 1, max: 200_000 }),
    dModel: fc.integer({ min: 1, max: 8192 }),
    layers: fc.integer({ min: 1, max: 96 }),
    kvHeads: fc.integer({ min: 1, max: 16 }),
    groups: fc.integer({ min: 1, max: 8 }),
    halfHeadDim: fc.integer({ min: 1, max: 128 }),
    mlp: fc.record({
      kind: fc.constantFrom('swiglu', 'geglu', 'gelu'),
      hidden: fc.integer({ min: 1, max: 65536 }),
    }),
    norm: fc.record({
      kind: fc.constantFrom('rmsnorm', 'layernorm'),
      eps: fc.double({ min: 1e-12, max: 1, noNaN: true }).filter((eps) => eps > 0),
      placement: fc.constantFrom('pre', 'post', 'sandwich'),
    }),
    maxSeq: fc.integer({ min: 1, max: 131072 }),
    extraPositions: fc.nat(1000),
    positionKind: fc.constantFrom('rope', 'learned', 'sinusoidal', 'alibi', 'nope'),
    ropeBase: fc.double({ min: 1, max: 1e7, noNaN: true }),
    tieEmbeddings: fc.boolean(),
  })
  .map(({ kvHeads, groups, halfHeadDim, positionKind, extraPositions, ropeBase, ...rest }) => {
    const positions =
      positionKind === 'rope'
        ? { kind: 'rope' as const, base: ropeBase, fraction: 0.5 }
        : positionKind === 'learned'
          ? { kind: 'learned' as const, max: rest.maxSeq + extraPositions }
          : { kind: positionKind };
    // headDim = 4·halfHeadDim keeps the rotary half of each head even.
    return {
      schemaVersion: 1 as const,
      kind: 'decoder-lm' as const,
      config: { ...rest, heads: kvHeads * groups, kvHeads, headDim: 4 * halfHeadDim, positions },
    };
  });

describe('parseModelSpec', () => {
  it('fills defaults and round-trips through JSON text exactly', () => {
    const spec = parseModelSpec(smallLm);
    expect(spec.config.positions).toEqual({ kind: 'rope', base: 10000, fraction: 1 });
    expect(spec.config.norm.placement).toBe('pre');
    expect(spec.config.tieEmbeddings).toBe(false);
    const text = modelSpecToJSON(spec);
    expect(parseModelSpecJSON(text)).toEqual(spec);
    expect(modelSpecToJSON(parseModelSpecJSON(text))).toBe(text);
  });

  it('round-trips random valid specs (property)', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const text = modelSpecToJSON(spec);
        expect(parseModelSpecJSON(text)).toEqual(spec);
        expect(modelSpecToJSON(parseModelSpecJSON(text))).toBe(text);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it.each([
    [withConfig({ kvHeads: 3 }), 'config.kvHeads: expected a positive integer dividing heads (8), got 3'],
    [{ ...smallLm, schemaVersion: 3 }, 'schemaVersion: expected schemaVersion 1 or 2'],
    [{ ...smallLm, kind: 'encoder' }, 'kind: expected "decoder-lm", got "encoder"'],
    [withConfig({ dModel: 1.5 }), 'config.dModel: expected a positive integer, got 1.5'],
    [withConfig({ layers: 0 }), 'config.layers: expected a positive integer, got 0'],
    [
      withConfig({ mlp: { kind: 'relu', hidden: 4 } }),
      'config.mlp.kind: expected ("swiglu" | "geglu" | "gelu"), got "relu"',
    ],
    [
      withConfig({ mlp: { kind: 'gelu', hidden: '4' } }),
      'config.mlp.hidden: expected a positive integer, got "4"',
    ],
    [
      withConfig({ norm: { kind: 'rmsnorm', eps: -1 } }),
      'config.norm.eps: expected a finite positive number, got -1',
    ],
    [
      withConfig({ norm: { kind: 'rmsnorm', placement: 'middle' } }),
      'config.norm.placement: expected ("pre" | "post" | "sandwich")',
    ],
    [
      withConfig({ positions: { kind: 'rope', fraction: 0.3 } }),
      'config.positions.fraction: expected a fraction giving an even number',
    ],
    [
      withConfig({ positions: { kind: 'rope', fraction: 1.5 } }),
      'config.positions.fraction: expected a number in (0, 1], got 1.5',
    ],
    [
      withConfig({ positions: { kind: 'learned', max: 10 } }),
      'config.positions.max: expected at least maxSeq (256) learned positions, got 10',
    ],
    [withConfig({ positions: { kind: 'alibi', slopes: [] } }), 'config.positions.slopes: unknown key'],
    [
      withConfig({ positions: { kind: 'xpos' } }),
      'config.positions.kind: expected ("rope" | "learned" | "sinusoidal" | "alibi" | "nope"), got "xpos"',
    ],
    [withConfig({ tieEmbeddings: 'yes' }), 'config.tieEmbeddings: expected boolean, got "yes"'],
    [withConfig({ dmodel: 128 }), 'config.dmodel: unknown key'],
    [{ schemaVersion: 1, kind: 'decoder-lm' }, 'config: missing required key'],
    [
      [smallLm],
      'the document must be a JSON object (expected { schemaVersion, kind, config }, got an array)',
    ],
  ])('rejects an invalid spec with its path: %#', (document, expected) => {
    expect(messageOf(document)).toContain(expected);
  });

  it('reports every problem at once', () => {
    const message = messageOf(withConfig({ dModel: -2, heads: 'x', maxSeq: 0 }));
    expect(message).toContain('3 problems');
    expect(message).toContain('config.dModel:');
    expect(message).toContain('config.heads:');
    expect(message).toContain('config.maxSeq:');
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseModelSpecJSON('{"schemaVersion": 1,')).toThrow(/model spec is not valid JSON/);
  });

  it('parses or throws a SpecError, never anything else, on random mutations of a valid spec (property)', () => {
    const base = JSON.parse(modelSpecToJSON(parseModelSpec(smallLm))) as unknown;
    const paths = collectPaths(base);
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('replace' as const), value: fc.jsonValue() }),
      fc.record({ op: fc.constant('delete' as const) }),
      fc.record({ op: fc.constant('insert' as const), key: fc.string(), value: fc.jsonValue() }),
    );
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(paths.length - 1), mutation), { minLength: 1, maxLength: 3 }),
        (edits) => {
          const document = structuredClone(base);
          for (const [pathIndex, edit] of edits) applyEdit(document, paths[pathIndex]!, edit);
          try {
            parseModelSpec(document);
          } catch (error) {
            if (!WeftError.isInstance(error) || error.code !== 'spec') throw error;
            rejected++;
          }
        },
      ),
      { seed: 1234, numRuns: 1000 },
    );
    // Most random edits break the spec; the property must have exercised the error paths.
    expect(rejected).toBeGreaterThan(500);
  });
});

type Path = readonly string[];
type Edit =
  | { op: 'replace'; value: unknown }
  | { op: 'delete' }
  | { op: 'insert'; key: string; value: unknown };

function collectPaths(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) paths.push(...collectPaths(child, [...prefix, key]));
  }
  return paths;
}

/** Applies `edit` at `path` and returns the (possibly replaced) document. */
function applyEdit(document: unknown, path: Path, edit: Edit): unknown {
  const holder: Record<string, unknown> = { root: document };
  let container: Record<string, unknown> = holder;
  let key = 'root';
  for (const part of path) {
    const child = container[key];
    if (typeof child !== 'object' || child === null) return holder.root;
    container = child as Record<string, unknown>;
    key = part;
  }
  if (edit.op === 'replace') container[key] = edit.value;
  else if (edit.op === 'delete') delete container[key];
  else {
    const target = container[key];
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      (target as Record<string, unknown>)[edit.key] = edit.value;
    }
  }
  return holder.root;
}
