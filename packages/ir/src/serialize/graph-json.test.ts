import { describe, expect, it } from 'vitest';
import { symbolicDim } from '../dim.js';
import { SpecError } from '../errors.js';
import { variable } from '../expr/expr.js';
import { graphNodes, makeGraph } from '../graph/graph.js';
import {
  add,
  full,
  greater,
  input,
  interpret,
  logsumexp,
  mapElements,
  matmul,
  param,
  reshape,
  scan,
  topk,
  where,
} from '../index.js';
import { expectClose, randomTensor } from '../testing/index.js';
import { graphFromJSON, graphToJSON } from './graph-json.js';

function sampleGraph() {
  const seq = symbolicDim('seq', { max: 32 });
  const x = input('x', [seq, 4]);
  const masked = where(greater(x, 0), x, -Infinity);
  const body = variable('$0').mul(variable('$1').apply('sigmoid')).add(variable('i1', 'i32').cast('f32'));
  const gated = mapElements([masked, matmul(x, param('w', [4, 4]))], body);
  const scanned = scan(gated, { axis: 0, combine: variable('a').max(variable('b')) });
  return makeGraph({
    y: reshape(add(scanned, logsumexp(gated, 1, { keepDims: true })), [seq, 2, 2]),
    top: topk(x, 2).indices,
    negativeZero: full(-0, [2]),
  });
}

/** The parts of a graph JSON document the tests corrupt. */
interface EditableJSON {
  schemaVersion: unknown;
  exprs: { kind: unknown }[];
  nodes: { op: unknown; inputs: unknown[]; attrs: Record<string, unknown> }[];
}

describe('graph JSON', () => {
  it('round-trips exactly: same nodes, same hashes, same values', () => {
    const graph = sampleGraph();
    const text = JSON.stringify(graphToJSON(graph));
    const loaded = graphFromJSON(text);
    expect(graphNodes(loaded).map((node) => node.hash)).toEqual(graphNodes(graph).map((node) => node.hash));
    expect(loaded.outputs.y).toBe(graph.outputs.y);
    expect(Object.is(loaded.outputs.negativeZero!.attrs.value, -0)).toBe(true);
    const inputs = { x: randomTensor([5, 4], { seed: 3 }) };
    const params = { w: randomTensor([4, 4], { seed: 4 }) };
    expectClose(interpret(loaded, { inputs, params }).y!, interpret(graph, { inputs, params }).y!, {
      rtol: 0,
      atol: 0,
    });
  });

  it('reports the JSON path of invalid documents', () => {
    const json = graphToJSON(sampleGraph());
    const broken = (edit: (copy: EditableJSON) => void) => {
      const copy = JSON.parse(JSON.stringify(json)) as EditableJSON;
      edit(copy);
      return () => graphFromJSON(copy);
    };
    expect(broken((c) => (c.schemaVersion = 99))).toThrow(/at \$\.schemaVersion/);
    expect(broken((c) => (c.nodes[3]!.inputs = [999]))).toThrow(/at \$\.nodes\[3\]\.inputs\[0\]/);
    expect(broken((c) => (c.nodes[1]!.op = 42))).toThrow(/at \$\.nodes\[1\]\.op/);
    expect(broken((c) => (c.exprs[0]!.kind = 'lambda'))).toThrow(/at \$\.exprs\[0\]\.kind/);
    const reshapeIndex = json.nodes.findIndex((node) => node.op === 'reshape');
    expect(broken((c) => (c.nodes[reshapeIndex]!.attrs.shape = [3, 3]))).toThrow(SpecError);
    expect(() => graphFromJSON('{ nope')).toThrow(/at \$ \(expected valid JSON text/);
  });
});
