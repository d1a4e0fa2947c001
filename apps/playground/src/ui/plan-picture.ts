import type { PlanKernel, PlanTensor } from '../analysis/analysis-result.js';
import { formatBytes, svg } from './svg.js';

const WIDTH = 560;
const KERNEL_X = 40;
const KERNEL_WIDTH = 480;
const LINE = 16;
const PILL = 22;
const OPS_PER_LINE = 6;

/**
 * The kernel plan as an SVG picture, top to bottom in dispatch order: the sources (inputs,
 * parameters) first, then each kernel as a box listing the ops fused into it and the tensors it
 * reads, followed by the buffers it writes with their shapes and sizes. Clicking a kernel calls
 * `onSelect` with its index; `selected` is drawn highlighted.
 */
export function planPicture(
  kernels: readonly PlanKernel[],
  tensors: readonly PlanTensor[],
  selected: number,
  onSelect: (kernel: number) => void,
): SVGSVGElement {
  const byId = new Map(tensors.map((tensor) => [tensor.id, tensor]));
  const picture = svg('svg', {
    class: 'plan',
    role: 'img',
    'aria-label': `kernel plan: ${kernels.length} kernels`,
  });
  let y = 8;
  const sources = tensors.filter((tensor) => tensor.role === 'input' || tensor.role === 'param');
  if (sources.length > 0) {
    picture.append(svg('text', { x: 8, y: y + 12, class: 'caption' }, 'sources'));
    y += LINE;
    for (const tensor of sources) {
      picture.append(tensorPill(tensor, y));
      y += PILL + 4;
    }
    y += 8;
  }
  kernels.forEach((kernel, index) => {
    const opLines = chunk(kernel.ops, OPS_PER_LINE).map((ops) => ops.join(' → '));
    const reads = kernel.reads.map((id) => byId.get(id)?.name ?? `#${id}`).join(', ');
    const height = LINE * (2 + opLines.length) + 10;
    const group = svg('g', {
      class: index === selected ? 'kernel selected' : 'kernel',
      'data-kernel': index,
      tabindex: 0,
      role: 'button',
    });
    group.append(
      svg('title', {}, `${kernel.label}: click to show its WGSL`),
      svg('rect', { x: KERNEL_X, y, width: KERNEL_WIDTH, height, rx: 6 }),
      svg('text', { x: KERNEL_X + 10, y: y + LINE, class: 'kernel-title' }, kernel.label),
      ...opLines.map((line, row) =>
        svg('text', { x: KERNEL_X + 18, y: y + LINE * (row + 2), class: 'ops' }, line || '(copy)'),
      ),
      svg(
        'text',
        { x: KERNEL_X + 10, y: y + LINE * (opLines.length + 2), class: 'reads' },
        `reads ${reads || 'nothing'}`,
      ),
    );
    group.addEventListener('click', () => onSelect(index));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') onSelect(index);
    });
    picture.append(group);
    y += height;
    for (const id of kernel.writes) {
      const tensor = byId.get(id);
      if (tensor === undefined) continue;
      picture.append(svg('line', { x1: KERNEL_X + 40, y1: y, x2: KERNEL_X + 40, y2: y + 8, class: 'edge' }));
      y += 8;
      picture.append(tensorPill(tensor, y));
      y += PILL;
    }
    y += 14;
  });
  picture.setAttribute('viewBox', `0 0 ${WIDTH} ${y}`);
  picture.setAttribute('width', String(WIDTH));
  picture.setAttribute('height', String(y));
  return picture;
}

function tensorPill(tensor: PlanTensor, y: number): SVGGElement {
  const group = svg('g', { class: `tensor ${tensor.role}`, 'data-tensor': tensor.name });
  group.append(
    svg('rect', { x: KERNEL_X + 20, y, width: KERNEL_WIDTH - 40, height: PILL - 4, rx: 9 }),
    svg(
      'text',
      { x: KERNEL_X + 32, y: y + 13 },
      `${tensor.name} ${tensor.shape} · ${formatBytes(tensor.bytes)}${tensor.role === 'output' ? ' · output' : ''}`,
    ),
  );
  return group;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks.length === 0 ? [[]] : chunks;
}
