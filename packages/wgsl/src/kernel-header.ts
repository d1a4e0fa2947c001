import { formatShape, type Kernel, kernelBlockLabel, kernelSummary, type Node } from '@weft/ir';
import { sanitizeComment, sanitizeName } from './sanitize.js';
import { type TensorBindingLayout, tensorUserName } from './tensor-bindings.js';

/**
 * The comment block that opens a kernel's module: its id, block and summary, the nodes it fuses,
 * and the tensors of each binding. `template` is the template name the module was built by (named
 * in the title when it is not the kernel's own).
 */
export function kernelHeader(kernel: Kernel, layout: TensorBindingLayout, template: string): string {
  const block = kernelBlockLabel(kernel);
  // A line over 120 characters (a long label) keeps the binding, shape and dtype and drops the label.
  const describeTensor = (node: Node, name: string, label = `${nodeName(node)} `): string => {
    const line = `//   ${name}: ${sanitizeComment(`${label}${formatShape(node.shape)} ${node.dtype}`)}`;
    return line.length > 120 && label !== '' ? describeTensor(node, name, '') : line;
  };
  const title = `// Weft kernel ${kernel.id}: ${block === undefined ? '' : `${sanitizeName(block)} - `}${sanitizeComment(kernelSummary(kernel))}${template === kernel.template ? '' : `, template ${sanitizeComment(template)}`}`;
  const lines = [
    // Generated lines stay under 120 characters; a long title (a combined mask) is cut.
    title.length > 120 ? `${title.slice(0, 117)}...` : title,
    `// fuses ${kernel.nodes.length} node(s):`,
    ...kernel.nodes.map((node) => `//   ${sanitizeComment(nodeSummary(node))}`),
  ];
  if (layout.storage.length > 0) lines.push('// tensors:');
  for (const storage of layout.storage) {
    for (const node of storage.tensors) {
      // f16 storage: the tensor is an f32 of the graph held in 2 bytes per element.
      const stored = layout.slots.get(node)?.half === undefined ? '' : ', f16 storage';
      lines.push(describeTensor(node, `${storage.name} (${storage.access}${stored})`));
    }
  }
  return lines.join('\n');
}

/** `op "user name"` (the name of an input or parameter, else its label), or the op alone. */
function nodeName(node: Node): string {
  const name = tensorUserName(node);
  return name === undefined ? node.op : `${node.op} "${sanitizeName(name)}"`;
}

function nodeSummary(node: Node): string {
  const details: string[] = [];
  for (const key of ['fn', 'axes', 'axis', 'perm']) {
    const value = node.attrs[key];
    if (value !== undefined) details.push(`${key}=${JSON.stringify(value)}`);
  }
  const suffix = details.length > 0 ? ` ${details.join(' ')}` : '';
  return `${nodeName(node)}${suffix} -> ${formatShape(node.shape)} ${node.dtype}`;
}
