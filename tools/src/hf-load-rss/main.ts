/**
 * Peak memory of loading a Hugging Face checkpoint: `generate <dir> [F32|BF16] [LAYERS]` writes a
 * Llama checkpoint of about 200 MB (in a process of its own; LAYERS decoder layers instead of the
 * default 10 or 5 — 78 BF16 layers make a file of about 1 GB), `load <dir>` loads it with
 * `loadHuggingFaceModel` and prints the process's peak RSS before and after, next to the file and
 * parameter sizes (`load-whole-file <dir>`: the same through `readSafetensors` of the whole file
 * and `parametersFromWeights`, for comparison). Run: `pnpm --filter @weft/tools hf-load-rss generate /tmp/ckpt BF16`, then
 * `pnpm --filter @weft/tools hf-load-rss load /tmp/ckpt`.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildModelGraph,
  graphParameters,
  parametersFromWeights,
  readSafetensors,
  type TensorToWrite,
  writeSafetensors,
} from '@weft/models';
import { loadHuggingFaceModel, readHuggingFaceConfig } from '@weft/models/hf';

const [command, dir, dtypeArgument, layersArgument] = process.argv.slice(2);
if (dir === undefined || !['generate', 'load', 'load-whole-file'].includes(command ?? '')) {
  console.error('usage: hf-load-rss generate <dir> [F32|BF16] [LAYERS] | load <dir> | load-whole-file <dir>');
  process.exit(2);
}

/** About 200 MB in BF16 (112M parameters), or about 200 MB in F32 with half the layers and vocabulary. */
function config(dtype: 'F32' | 'BF16', layers?: number) {
  const half = dtype === 'F32';
  return {
    model_type: 'llama',
    vocab_size: half ? 16000 : 32000,
    hidden_size: 768,
    intermediate_size: 2048,
    num_hidden_layers: layers ?? (half ? 5 : 10),
    num_attention_heads: 12,
    num_key_value_heads: 4,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 256,
    tie_word_embeddings: false,
  };
}

function generate(target: string, dtype: 'F32' | 'BF16', layers?: number): void {
  const c = config(dtype, layers);
  const d = c.hidden_size;
  const kv = (c.num_key_value_heads * d) / c.num_attention_heads;
  const shapes: [string, number[]][] = [
    ['model.embed_tokens.weight', [c.vocab_size, d]],
    ['lm_head.weight', [c.vocab_size, d]],
    ['model.norm.weight', [d]],
  ];
  for (let layer = 0; layer < c.num_hidden_layers; layer++) {
    const p = `model.layers.${layer}`;
    shapes.push(
      [`${p}.input_layernorm.weight`, [d]],
      [`${p}.post_attention_layernorm.weight`, [d]],
      [`${p}.self_attn.q_proj.weight`, [d, d]],
      [`${p}.self_attn.k_proj.weight`, [kv, d]],
      [`${p}.self_attn.v_proj.weight`, [kv, d]],
      [`${p}.self_attn.o_proj.weight`, [d, d]],
      [`${p}.mlp.gate_proj.weight`, [c.intermediate_size, d]],
      [`${p}.mlp.up_proj.weight`, [c.intermediate_size, d]],
      [`${p}.mlp.down_proj.weight`, [d, c.intermediate_size]],
    );
  }
  const tensors = new Map<string, TensorToWrite>();
  let seed = 1;
  for (const [name, shape] of shapes) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      data[i] = (seed / 2 ** 32 - 0.5) * 0.05;
    }
    tensors.set(name, { dtype, shape, data });
  }
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'config.json'), JSON.stringify(c));
  writeFileSync(join(target, 'model.safetensors'), writeSafetensors(tensors));
}

/** The older path: the whole file in one buffer, then renamed, transposed and fused copies. */
async function loadWholeFile(target: string) {
  const { spec } = await readHuggingFaceConfig(target);
  const tensors = readSafetensors(readFileSync(join(target, 'model.safetensors')));
  const expected = graphParameters(buildModelGraph(spec, { mode: 'forward' }).graph);
  return { weights: parametersFromWeights(tensors, expected) };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

if (command === 'generate') {
  const layers = layersArgument === undefined ? undefined : Number(layersArgument);
  if (layers !== undefined && !(Number.isInteger(layers) && layers >= 1)) {
    console.error(`LAYERS must be an integer ≥ 1, got ${layersArgument}`);
    process.exit(2);
  }
  generate(dir, dtypeArgument === 'F32' ? 'F32' : 'BF16', layers);
  console.log(`wrote ${mib(statSync(join(dir, 'model.safetensors')).size)} to ${dir}`);
} else {
  const before = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const model =
    command === 'load' ? await loadHuggingFaceModel(dir, { tokenizer: false }) : await loadWholeFile(dir);
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  const parameters = Object.values(model.weights).reduce((total, data) => total + data.byteLength, 0);
  console.log(
    JSON.stringify({
      file: mib(statSync(join(dir, 'model.safetensors')).size),
      parametersFloat32: mib(parameters),
      peakRssBeforeLoad: mib(before),
      peakRssAfterLoad: mib(peak),
      peakRssGrowth: mib(peak - before),
      seconds: Number(seconds.toFixed(2)),
    }),
  );
}
