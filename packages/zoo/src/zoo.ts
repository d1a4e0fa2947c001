import { aarenEntry } from './entries/aaren.js';
import { aarenDecodeEntry } from './entries/aaren-decode.js';
import { adaInEntry } from './entries/ada-in.js';
import { adaLinEntry } from './entries/ada-lin.js';
import { adaLnZeroEntry } from './entries/ada-ln-zero.js';
import { adaptiveFilterAttentionEntry } from './entries/adaptive-filter-attention.js';
import { adaptiveSparseEntmaxEntry } from './entries/adaptive-sparse-entmax.js';
import { additiveAttentionEntry } from './entries/additive-attention.js';
import { attentionBasinSegmentMassEntry } from './entries/attention-basin-segment-mass.js';
import { attentionEntropyReadoutEntry } from './entries/attention-entropy-readout.js';
import { attentionFreeFfnEntry } from './entries/attention-free-ffn.js';
import { attentionRolloutEntry } from './entries/attention-rollout.js';
import { attentionSinkCalibrationEntry } from './entries/attention-sink-calibration.js';
import { attentionSortingScoresEntry } from './entries/attention-sorting-scores.js';
import { bamGeneralizedGaussianPriorEntry } from './entries/bam-generalized-gaussian-prior.js';
import { batchNormInferenceEntry } from './entries/batch-norm-inference.js';
import { blockAttentionRagEntry } from './entries/block-attention-rag.js';
import { comateformerQuasiAttentionEntry } from './entries/comateformer-quasi-attention.js';
import { coreReidChannelSpatialEntry } from './entries/core-reid-channel-spatial.js';
import { crossAttentionDecoupledDimsEntry } from './entries/cross-attention-decoupled-dims.js';
import { deceptiveAttentionPenaltyEntry } from './entries/deceptive-attention-penalty.js';
import { deltaAttentionEntry } from './entries/delta-attention.js';
import { dhsaEntry } from './entries/dhsa.js';
import { dittoDiagonalReadoutEntry } from './entries/ditto-diagonal-readout.js';
import { documentMaskEntry } from './entries/document-mask.js';
import { dualAttentionEntry } from './entries/dual-attention.js';
import { efficientAttentionEntry } from './entries/efficient-attention.js';
import { entmax15Entry } from './entries/entmax-1-5.js';
import { faithfulKeyMaskEntry } from './entries/faithful-key-mask.js';
import { fastmaxEntry } from './entries/fastmax.js';
import { fastmaxLinearEntry } from './entries/fastmax-linear.js';
import { fixNormEntry } from './entries/fix-norm.js';
import { flexPrefillEntry } from './entries/flex-prefill.js';
import { foundInTheMiddleKeyBiasEntry } from './entries/found-in-the-middle-key-bias.js';
import { gaamEntry } from './entries/gaam.js';
import { galerkinAttentionEntry } from './entries/galerkin-attention.js';
import { gatedDeltaNetEntry } from './entries/gated-deltanet.js';
import { gatedDeltaNetDecodeEntry } from './entries/gated-deltanet-decode.js';
import { groupNormEntry } from './entries/group-norm.js';
import { hyperAttentionEntry } from './entries/hyper-attention.js';
import { hyperAttentionCausalEntry } from './entries/hyper-attention-causal.js';
import { instanceLayerNormEntry } from './entries/instance-layer-norm.js';
import { lamaPoolingEntry } from './entries/lama-pooling.js';
import { landmarkGroupedSoftmaxEntry } from './entries/landmark-grouped-softmax.js';
import { landmarkRetrievalDecodeEntry } from './entries/landmark-retrieval-decode.js';
import { latteEntry } from './entries/latte.js';
import { latteDecodeEntry } from './entries/latte-decode.js';
import { lawcatEntry } from './entries/lawcat.js';
import { layerNormEntry } from './entries/layer-norm.js';
import { layerStackAttentionEntry } from './entries/layer-stack-attention.js';
import { layerwiseShortcutsEntry } from './entries/layerwise-shortcuts.js';
import { learnableTokenEvictionEntry } from './entries/learnable-token-eviction.js';
import { lightningAttentionEntry } from './entries/lightning-attention.js';
import { lightningAttentionChunkedEntry } from './entries/lightning-attention-chunked.js';
import { linearTransformerElu1Entry } from './entries/linear-transformer-elu1.js';
import { linearTransformerElu1CausalEntry } from './entries/linear-transformer-elu1-causal.js';
import { linearTransformerElu1DecodeEntry } from './entries/linear-transformer-elu1-decode.js';
import { linformerEntry } from './entries/linformer.js';
import { llnAttentionEntry } from './entries/lln-attention.js';
import { llnDiagAttentionEntry } from './entries/lln-diag-attention.js';
import { localChunkAttentionEntry } from './entries/local-chunk-attention.js';
import { logLinearGatedDeltaNetEntry } from './entries/log-linear-gated-deltanet.js';
import { logLinearGatedDeltaNetChunkedEntry } from './entries/log-linear-gated-deltanet-chunked.js';
import { logLinearGatedDeltaNetDecodeEntry } from './entries/log-linear-gated-deltanet-decode.js';
import { logLinearMamba2Entry } from './entries/log-linear-mamba2.js';
import { logLinearMamba2DecodeEntry } from './entries/log-linear-mamba2-decode.js';
import { lokiEntry } from './entries/loki.js';
import { lowRankBottleneckHeadDimsEntry } from './entries/low-rank-bottleneck-head-dims.js';
import { lseOutputEntry } from './entries/lse-output.js';
import { lssaSoftplusReweightingEntry } from './entries/lssa-softplus-reweighting.js';
import { malaAttentionEntry } from './entries/mala-attention.js';
import { malaVisionBlockEntry } from './entries/mala-vision-block.js';
import { maskedInstanceNormEntry } from './entries/masked-instance-norm.js';
import { massiveValuesQkNormsEntry } from './entries/massive-values-qk-norms.js';
import { megaBlockEntry } from './entries/mega-block.js';
import { megaBlockCausalLaplaceEntry } from './entries/mega-block-causal-laplace.js';
import { megaBlockDecodeEntry } from './entries/mega-block-decode.js';
import { megaEmaEntry } from './entries/mega-ema.js';
import { mixtureOfHeadsEntry } from './entries/mixture-of-heads.js';
import { mlpScoreAttentionEntry } from './entries/mlp-score-attention.js';
import { mobaEntry } from './entries/moba.js';
import { multiHeadEmbeddingsEntry } from './entries/multi-head-embeddings.js';
import { multiQueryAttentionEntry } from './entries/multi-query-attention.js';
import { multiTokenAttentionEntry } from './entries/multi-token-attention.js';
import { nalaAttentionEntry } from './entries/nala-attention.js';
import { nalaformerVisionBlockEntry } from './entries/nalaformer-vision-block.js';
import { napStandardizedAttentionEntry } from './entries/nap-standardized-attention.js';
import { nativeSparseAttentionEntry } from './entries/native-sparse-attention.js';
import { natsEntry } from './entries/nats.js';
import { nestedAttentionEntry } from './entries/nested-attention.js';
import { ngptNormalizeEntry } from './entries/ngpt-normalize.js';
import { ngptSphericalResidualEntry } from './entries/ngpt-spherical-residual.js';
import { nopeHeadTemperatureEntry } from './entries/nope-head-temperature.js';
import { normalizedAttentionGuidanceEntry } from './entries/normalized-attention-guidance.js';
import { nystromformerEntry } from './entries/nystromformer.js';
import { pLaplacianAdapterEntry } from './entries/p-laplacian-adapter.js';
import { patternInjectedHeadsEntry } from './entries/pattern-injected-heads.js';
import { payBetterAttentionEntry } from './entries/pay-better-attention.js';
import { performerFavorEntry } from './entries/performer-favor.js';
import { probabilisticAttentionEntry } from './entries/probabilistic-attention.js';
import { qkL2NormEntry } from './entries/qk-l2-norm.js';
import { qkNormEntry } from './entries/qk-norm.js';
import { recurrentMemoryStandInEntry } from './entries/recurrent-memory-stand-in.js';
import { reglaEntry } from './entries/regla.js';
import { retentionDecayStandInEntry } from './entries/retention-decay-stand-in.js';
import { rmsNormEntry } from './entries/rms-norm.js';
import { rnopeSwaEntry } from './entries/rnope-swa.js';
import { rope2dImageGridEntry } from './entries/rope-2d-image-grid.js';
import { scaleNormEntry } from './entries/scale-norm.js';
import { sentinelLastRowProbeEntry } from './entries/sentinel-last-row-probe.js';
import { setTransformerEntry } from './entries/set-transformer.js';
import { sigmaDiffQkvEntry } from './entries/sigma-diff-qkv.js';
import { sigmoidAttentionEntry } from './entries/sigmoid-attention.js';
import { simpleRmsNormEntry } from './entries/simple-rms-norm.js';
import { skimAttentionEntry } from './entries/skim-attention.js';
import { softGaussianKernelEntry } from './entries/soft-gaussian-kernel.js';
import { softNystromAttentionEntry } from './entries/soft-nystrom-attention.js';
import { softmaxSinkEntry } from './entries/softmax-sink.js';
import { spadeEntry } from './entries/spade.js';
import { sparseTransformerFixedEntry } from './entries/sparse-transformer-fixed.js';
import { sparseTransformerStridedEntry } from './entries/sparse-transformer-strided.js';
import { sparseKAttentionEntry } from './entries/sparsek-attention.js';
import { sqTransformerSalEntry } from './entries/sq-transformer-sal.js';
import { starAttentionEntry } from './entries/star-attention.js';
import { starAttentionLseEntry } from './entries/star-attention-lse.js';
import { styleAdaptiveInstanceNormEntry } from './entries/style-adaptive-instance-norm.js';
import { taskLayerNormEntry } from './entries/task-layer-norm.js';
import { topThetaEntry } from './entries/top-theta.js';
import { transnormerDiagAttentionEntry } from './entries/transnormer-diag-attention.js';
import { transnormerNormAttentionEntry } from './entries/transnormer-norm-attention.js';
import { transnormerllmLrpeEntry } from './entries/transnormerllm-lrpe.js';
import { visualSentinelEntry } from './entries/visual-sentinel.js';
import { weightedGqaEntry } from './entries/weighted-gqa.js';
import type { ZooEntry } from './zoo-entry.js';

/**
 * Every zoo entry: the G3 normalization layers of `@weft/norms`, then the G1/G2 attention
 * mechanisms of `@weft/attention` (and MoBA and the attention sink of G6), in catalog order of their package,
 * then the G4 linear attention of `@weft/attention/linear`.
 */
export const ZOO: readonly ZooEntry[] = [
  layerNormEntry,
  rmsNormEntry,
  simpleRmsNormEntry,
  scaleNormEntry,
  fixNormEntry,
  groupNormEntry,
  maskedInstanceNormEntry,
  batchNormInferenceEntry,
  qkL2NormEntry,
  adaInEntry,
  styleAdaptiveInstanceNormEntry,
  adaLinEntry,
  instanceLayerNormEntry,
  adaLnZeroEntry,
  spadeEntry,
  ngptNormalizeEntry,
  ngptSphericalResidualEntry,
  taskLayerNormEntry,
  gaamEntry,
  crossAttentionDecoupledDimsEntry,
  rope2dImageGridEntry,
  qkNormEntry,
  lseOutputEntry,
  attentionBasinSegmentMassEntry,
  sentinelLastRowProbeEntry,
  attentionSortingScoresEntry,
  massiveValuesQkNormsEntry,
  attentionRolloutEntry,
  deceptiveAttentionPenaltyEntry,
  dittoDiagonalReadoutEntry,
  attentionEntropyReadoutEntry,
  sigmoidAttentionEntry,
  rnopeSwaEntry,
  nopeHeadTemperatureEntry,
  lowRankBottleneckHeadDimsEntry,
  bamGeneralizedGaussianPriorEntry,
  weightedGqaEntry,
  sparseTransformerStridedEntry,
  multiQueryAttentionEntry,
  napStandardizedAttentionEntry,
  documentMaskEntry,
  localChunkAttentionEntry,
  foundInTheMiddleKeyBiasEntry,
  faithfulKeyMaskEntry,
  mobaEntry,
  flexPrefillEntry,
  lokiEntry,
  natsEntry,
  learnableTokenEvictionEntry,
  nativeSparseAttentionEntry,
  sparseKAttentionEntry,
  normalizedAttentionGuidanceEntry,
  deltaAttentionEntry,
  recurrentMemoryStandInEntry,
  dhsaEntry,
  sparseTransformerFixedEntry,
  hyperAttentionEntry,
  hyperAttentionCausalEntry,
  starAttentionLseEntry,
  starAttentionEntry,
  blockAttentionRagEntry,
  softmaxSinkEntry,
  attentionSinkCalibrationEntry,
  adaptiveSparseEntmaxEntry,
  entmax15Entry,
  transnormerDiagAttentionEntry,
  lightningAttentionEntry,
  patternInjectedHeadsEntry,
  probabilisticAttentionEntry,
  softGaussianKernelEntry,
  additiveAttentionEntry,
  mlpScoreAttentionEntry,
  visualSentinelEntry,
  nestedAttentionEntry,
  multiTokenAttentionEntry,
  sqTransformerSalEntry,
  adaptiveFilterAttentionEntry,
  softNystromAttentionEntry,
  lssaSoftplusReweightingEntry,
  topThetaEntry,
  fastmaxEntry,
  landmarkGroupedSoftmaxEntry,
  landmarkRetrievalDecodeEntry,
  pLaplacianAdapterEntry,
  linformerEntry,
  nystromformerEntry,
  setTransformerEntry,
  mixtureOfHeadsEntry,
  multiHeadEmbeddingsEntry,
  attentionFreeFfnEntry,
  layerwiseShortcutsEntry,
  lamaPoolingEntry,
  payBetterAttentionEntry,
  skimAttentionEntry,
  dualAttentionEntry,
  layerStackAttentionEntry,
  coreReidChannelSpatialEntry,
  sigmaDiffQkvEntry,
  comateformerQuasiAttentionEntry,
  linearTransformerElu1Entry,
  linearTransformerElu1CausalEntry,
  linearTransformerElu1DecodeEntry,
  lightningAttentionChunkedEntry,
  retentionDecayStandInEntry,
  transnormerNormAttentionEntry,
  fastmaxLinearEntry,
  performerFavorEntry,
  llnAttentionEntry,
  llnDiagAttentionEntry,
  reglaEntry,
  efficientAttentionEntry,
  galerkinAttentionEntry,
  aarenEntry,
  aarenDecodeEntry,
  latteEntry,
  latteDecodeEntry,
  megaEmaEntry,
  logLinearMamba2Entry,
  logLinearMamba2DecodeEntry,
  gatedDeltaNetEntry,
  gatedDeltaNetDecodeEntry,
  logLinearGatedDeltaNetEntry,
  logLinearGatedDeltaNetChunkedEntry,
  logLinearGatedDeltaNetDecodeEntry,
  megaBlockEntry,
  megaBlockCausalLaplaceEntry,
  megaBlockDecodeEntry,
  nalaAttentionEntry,
  transnormerllmLrpeEntry,
  malaAttentionEntry,
  malaVisionBlockEntry,
  nalaformerVisionBlockEntry,
  lawcatEntry,
];

/**
 * The entry whose id or mechanism name equals `idOrMechanism` (case-insensitive), or `undefined`.
 *
 * @example
 * ```ts
 * findZooEntry('layer-norm') === findZooEntry('LayerNorm'); // true
 * ```
 */
export function findZooEntry(idOrMechanism: string): ZooEntry | undefined {
  const wanted = idOrMechanism.toLowerCase();
  return ZOO.find((entry) => entry.id === wanted || entry.mechanism.toLowerCase() === wanted);
}
