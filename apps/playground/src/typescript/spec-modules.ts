import * as attention from '@weft/attention';
import * as ir from '@weft/ir';
import * as models from '@weft/models';
import * as norms from '@weft/norms';
import type { SpecModules } from './spec-module.js';

/**
 * The packages a spec module can import: the public entries a spec is written with. The worker
 * imports this file when the first TypeScript spec arrives (it holds the packages already).
 */
export const PLAYGROUND_SPEC_MODULES: SpecModules = {
  '@weft/attention': attention,
  '@weft/ir': ir,
  '@weft/models': models,
  '@weft/norms': norms,
};
