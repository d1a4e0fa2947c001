import type { AnalysisFailure, AnalysisResult } from '../analysis/analysis-result.js';
import { drawHeatMap } from './heat-map.js';
import { maskMap } from './mask-map.js';
import { planPicture } from './plan-picture.js';
import { formatBytes } from './svg.js';
import { timingChart } from './timing-chart.js';
import { wgslView } from './wgsl-view.js';

/** The right-hand panes; `show` fills them from a result, `fail` shows an error above the last result. */
export interface ResultsView {
  show(result: AnalysisResult): void;
  fail(failure: AnalysisFailure): void;
  busy(working: boolean): void;
}

/** Builds the result panes in `parent`. */
export function resultsView(parent: HTMLElement): ResultsView {
  const pane = (role: string, title?: string) => {
    const section = document.createElement('div');
    section.className = `pane ${role}`;
    section.dataset.role = role;
    if (title !== undefined) {
      const heading = document.createElement('h2');
      heading.textContent = title;
      section.append(heading);
    }
    const body = document.createElement('div');
    body.className = 'body';
    section.append(body);
    parent.append(section);
    return body;
  };
  const status = pane('status');
  const error = document.createElement('div');
  error.dataset.role = 'error';
  error.setAttribute('role', 'alert');
  error.hidden = true;
  status.before(error);
  const plan = pane('plan', 'Kernel plan');
  const wgsl = pane('wgsl', 'WGSL of the selected kernel');
  const code = wgslView(wgsl);
  const mask = pane('mask', 'Mask block map');
  const heat = pane('heat-map', 'Heat map');
  const timings = pane('timings', 'Time per kernel (profile)');

  let selected = 0;
  let current: AnalysisResult | undefined;

  const drawPlan = () => {
    if (current === undefined) return;
    const result = current;
    plan.replaceChildren(
      planPicture(result.kernels, result.tensors, selected, (kernel) => {
        selected = kernel;
        drawPlan();
      }),
    );
    code.show(result.kernels[selected]?.wgsl || '// the CPU reference backend generates no WGSL');
  };

  return {
    busy(working) {
      parent.classList.toggle('busy', working);
    },
    fail(failure) {
      error.hidden = false;
      error.textContent = `${failure.name}: ${failure.message}`;
    },
    show(result) {
      current = result;
      error.hidden = true;
      error.textContent = '';
      if (selected >= result.kernels.length) selected = 0;
      const within =
        result.tolerance === undefined
          ? ''
          : result.maxRelativeError <= result.tolerance
            ? ` (within the f32 budget ${result.tolerance.toExponential(0)})`
            : ` (OVER the f32 budget ${result.tolerance.toExponential(0)})`;
      status.replaceChildren(
        line('title', result.title),
        line(
          'backend',
          result.backend === 'webgpu' ? `WebGPU: ${result.device}` : `No WebGPU run — ${result.device}`,
        ),
        line(
          'accuracy',
          `max relative error vs float64: ${result.maxRelativeError.toExponential(2)}${within}`,
        ),
        line(
          'size',
          `${result.kernels.length} kernel(s), arena ${formatBytes(result.arenaBytes)}, profiled run ${result.wallMs.toFixed(1)} ms`,
        ),
      );
      drawPlan();
      mask.replaceChildren(
        result.maskTiles === undefined
          ? note('no mask (every query sees every key), or not an attention spec')
          : maskMap(result.maskTiles),
      );
      drawHeat(heat, result);
      timings.replaceChildren(
        result.kernelMs === undefined
          ? note(
              `this device has no timestamp queries, so profile() gives no per-kernel times; the whole run took ${result.wallMs.toFixed(2)} ms`,
            )
          : timingChart(
              result.kernels.map((kernel) => kernel.label),
              result.kernelMs,
            ),
      );
    },
  };
}

function drawHeat(host: HTMLElement, result: AnalysisResult): void {
  const map = result.heatMap;
  if (map === undefined) {
    host.replaceChildren(note('no output to draw'));
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.dataset.role = 'heat-map-canvas';
  const caption = document.createElement('p');
  const heads = map.heads ?? 1;
  const draw = (head: number) => {
    drawHeatMap(canvas, map.values, map.rows, map.columns, head * map.rows * map.columns);
    caption.textContent = `${map.title}${map.heads === undefined ? '' : `, head ${head}`}`;
  };
  const controls: HTMLElement[] = [];
  if (heads > 1) {
    const select = document.createElement('select');
    select.setAttribute('aria-label', 'head');
    for (let head = 0; head < heads; head++) select.append(new Option(`head ${head}`, String(head)));
    select.addEventListener('change', () => draw(Number(select.value)));
    controls.push(select);
  }
  draw(0);
  host.replaceChildren(...controls, canvas, caption);
}

function line(role: string, text: string): HTMLElement {
  const element = document.createElement('p');
  element.dataset.role = role;
  element.textContent = text;
  return element;
}

function note(text: string): HTMLElement {
  const element = document.createElement('p');
  element.className = 'note';
  element.textContent = text;
  return element;
}
