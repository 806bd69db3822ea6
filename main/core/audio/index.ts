// Public API of the telephony audio engine (plain Node; never imports electron).
export { AudioError, type AudioErrorCode } from './errors.js';
export {
  GREETING_FORMATS, SIZE_LIMIT_BYTES, TARGET_SAMPLE_RATE, PRESETS, AUTO_ORDER, MP3_BITRATE_KBPS,
  extensionFor, planFormat, predictBytes, maxDurationSec, budgetText, formatDuration, isGreetingFormat, parseFormatChoice, longestFittingSec,
  type GreetingFormat, type FormatChoice, type FormatPlan, type FormatPreset, type EncoderCapabilities,
} from './formats.js';
export {
  resolveFfmpeg, resolveFfmpegWith, getEncoderCapabilities, warmUpFfmpeg, checkFfmpeg, capabilitiesFromEncoders, resetFfmpegCache, unpackedAsarPath, findOnPath,
  MIN_FFMPEG_RELEASE, MIN_LIBAVUTIL,
  type FfmpegPaths, type BinarySource, type ResolveDeps,
} from './binaries.js';
export { probeAudio, type AudioProbe, type ProbeOptions } from './probe.js';
export {
  analyseAudio, probeAndAnalyse, probeByDecoding, summarise, predictedLimiterLoss, checkDamage, WARN, DAMAGE_LIMITS, MIN_GREETING_SEC,
  SUGGEST, type AudioAnalysis, type AudioWarning, type AudioSuggestion, type AnalyseOptions,
} from './analyse.js';
export { decodeAudio, clearDecodeCache, prefetchDecode, type DecodedAudio, type DecodeDamage, type Prefetch } from './decode.js';
export { renderGreeting, keepWindow, computeGainDb, LEAD_IN_SEC, MARGIN_BEFORE_SEC, MARGIN_AFTER_SEC, FADE_SEC, type RenderOptions, type RenderControl, type RenderResult } from './render.js';
export { greetingFileName, safeBaseName } from './filename.js';
export { decodeArgs, conditioningChain, type RenderChainParams } from './filters.js';
export { startLiveDecode, type LiveDecoder, type LiveDecodeResult } from './live-decode.js';
