import { type AttentionSpec, capturedTensors } from '@weft/attention';
import { type Node, param, SpecError } from '@weft/ir';
import { childPath as parameterPath } from '../../blocks/parameter-path.js';
import { type AttentionFromJSONOptions, attentionFromJSON } from './attention-json.js';
import { childPath } from './build-at.js';
import { isTensorRefJSON, type TensorRefJSON } from './tensor-ref-json.js';

/** One block's attention of a model spec: the spec and the parameters its tensor references became. */
export interface ModelAttention {
  /** The attention spec; its tensor references are named after the block (`layers.3.attn.sink`). */
  readonly spec: AttentionSpec;
  /** The learned parameters the spec reads, by name (`{ 'layers.3.attn.sink': param(...) }`), for the block's `tensors`. */
  readonly tensors: Readonly<Record<string, Node>>;
}

/** Options of {@link modelAttentionFromJSON}. */
export interface ModelAttentionOptions extends AttentionFromJSONOptions {
  /** The attention block's parameter path, e.g. `layers.3.attn`: a reference `sink` becomes `layers.3.attn.sink`. */
  readonly block: string;
  /** The layer, named first in errors (`layer 3: ...`). */
  readonly layer?: number;
}

interface FoundRef {
  readonly ref: TensorRefJSON;
  readonly path: string;
}

/**
 * Builds one block's attention of a model spec from its attention in JSON. A tensor reference
 * there (`{ "tensor": "sink", "shape": [8] }`) names a learned parameter of the block: its name is
 * local to the block (`sink` in `layers.3.attn` is the parameter `layers.3.attn.sink`) and its
 * shape is the one declared. The parameters are returned for the block's `tensors`, so that the
 * model is the same graph as the TypeScript block given `tensors: { name: param(name, shape) }`.
 *
 * @throws SpecError with the JSON path of the reference (and the layer) when it is read per sample
 * (a padding length, segment ids, a per-sample mask: a model spec has no per-sample attention
 * inputs), is not f32, or is declared twice with different shapes; or a builder's own error.
 *
 * @example
 * ```ts
 * const { spec, tensors } = modelAttentionFromJSON(
 *   { heads: 4, headDim: 16, normalizer: { kind: 'softmax', sink: { tensor: 'sink', shape: [4] } } },
 *   { block: 'layers.0.attn', path: 'config.attention' },
 * );
 * // tensors: { 'layers.0.attn.sink': param('layers.0.attn.sink', [4]) }
 * ```
 */
export function modelAttentionFromJSON(json: unknown, options: ModelAttentionOptions): ModelAttention {
  const { block, layer, ...jsonOptions } = options;
  const path = options.path ?? '';
  const fail = (message: string): never => {
    throw new SpecError(`${layer === undefined ? '' : `layer ${layer}: `}${message}`);
  };
  const found = new Map<string, FoundRef>();
  const renamed = renameTensorRefs(json, path, (ref, at) => {
    const name = parameterPath(block, ref.tensor);
    const known = found.get(name);
    if (known !== undefined && JSON.stringify(known.ref.shape) !== JSON.stringify(ref.shape))
      fail(
        `${at}: tensor "${ref.tensor}" of attention "${block}" is declared [${ref.shape.join(', ')}] here and [${known.ref.shape.join(', ')}] at ${known.path}`,
      );
    if (known === undefined) found.set(name, { ref, path: at });
    return name;
  });
  let spec: AttentionSpec;
  try {
    spec = attentionFromJSON(renamed, jsonOptions);
  } catch (error) {
    if (!(error instanceof SpecError) || layer === undefined) throw error;
    throw new SpecError(`layer ${layer}: ${error.message}`);
  }
  const tensors: Record<string, Node> = {};
  for (const captured of capturedTensors(spec)) {
    const declared = found.get(captured.name);
    if (declared === undefined) continue;
    const { ref, path: at } = declared;
    if (captured.perSample)
      fail(
        `${at}: tensor "${ref.tensor}" of attention "${block}" holds one value per sample; a model spec learns its attention tensors as parameters and takes no per-sample attention inputs (build the model in TypeScript and pass it in the block's "tensors")`,
      );
    const dtype = ref.dtype ?? 'f32';
    if (dtype !== 'f32')
      fail(
        `${at}: tensor "${ref.tensor}" of attention "${block}" is ${dtype}; a learned parameter of a model spec is f32`,
      );
    tensors[captured.name] = param(captured.name, ref.shape, dtype);
  }
  return { spec, tensors };
}

/** Whether an attention in JSON holds a tensor reference anywhere. */
export function hasTensorRefs(json: unknown): boolean {
  let any = false;
  renameTensorRefs(json, '', (ref) => {
    any = true;
    return ref.tensor;
  });
  return any;
}

/** `json` with every tensor reference renamed by `rename(ref, its JSON path)`, at any depth. */
function renameTensorRefs(
  json: unknown,
  path: string,
  rename: (ref: TensorRefJSON, path: string) => string,
): unknown {
  if (isTensorRefJSON(json)) return { ...json, tensor: rename(json, path) };
  if (Array.isArray(json))
    return json.map((item, index) => renameTensorRefs(item, childPath(path, index), rename));
  if (typeof json === 'object' && json !== null)
    return Object.fromEntries(
      Object.entries(json).map(([key, item]) => [key, renameTensorRefs(item, childPath(path, key), rename)]),
    );
  return json;
}
