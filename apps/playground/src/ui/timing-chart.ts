import { svg } from './svg.js';

const BAR_HEIGHT = 18;
const LABEL_WIDTH = 150;
const BAR_WIDTH = 320;

/**
 * Per-kernel GPU times (from `profile()`'s timestamp queries) as a horizontal bar chart, one bar
 * per kernel labelled with its index and template; the widest bar is the slowest kernel.
 */
export function timingChart(labels: readonly string[], milliseconds: readonly number[]): SVGSVGElement {
  const most = Math.max(...milliseconds, Number.MIN_VALUE);
  const height = labels.length * (BAR_HEIGHT + 4) + 4;
  const chart = svg('svg', {
    class: 'timings',
    width: LABEL_WIDTH + BAR_WIDTH + 90,
    height,
    role: 'img',
    'aria-label': 'GPU time per kernel',
  });
  labels.forEach((label, index) => {
    const y = 4 + index * (BAR_HEIGHT + 4);
    const ms = milliseconds[index] ?? 0;
    chart.append(
      svg('text', { x: 0, y: y + 13, class: 'bar-label' }, label),
      svg('rect', {
        x: LABEL_WIDTH,
        y,
        width: Math.max(1, (ms / most) * BAR_WIDTH),
        height: BAR_HEIGHT,
        class: 'bar',
        'data-ms': ms,
      }),
      svg('text', { x: LABEL_WIDTH + BAR_WIDTH + 6, y: y + 13, class: 'bar-value' }, `${ms.toFixed(3)} ms`),
    );
  });
  return chart;
}
