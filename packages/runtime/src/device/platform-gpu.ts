/**
 * The `GPU` an environment offers when no `navigator.gpu` exists. `#platform-gpu` (package.json
 * `imports`) resolves to one of two modules with this shape: under the `node` condition Dawn's
 * binding (node-gpu.ts, which reads `node:fs` and loads npm `webgpu`), elsewhere none
 * (browser-gpu.ts), so a browser bundle holds no Node module.
 */
export interface PlatformGpu {
  /** Where the `GPU` comes from, as reported in `AdapterDescription.source`. */
  readonly source: 'node-dawn';
  /** The `GPU`, or `undefined` when this environment has none besides `navigator.gpu`. */
  create(): Promise<GPU> | undefined;
}
