// Public API of the content area: greeting scripts and templates, placeholders, text-to-speech, personalised batches.
export { ContentError } from './errors.js';
export { PLACEHOLDERS, PLACEHOLDER_HELP, scanScript, fillScript, backDateWords, spokenDigits, isPlaceholder, type Placeholder, type PlaceholderValues, type TextProblem, type FilledScript } from './placeholders.js';
export { BUILTIN_TEMPLATES, type TemplateText } from './builtin-templates.js';
export {
  TemplateStore, TemplateSchema, TemplateExportSchema, checkTemplate, describeIssues, EXPORT_FORMAT, MAX_TEMPLATE_CHARS,
  type Template, type TemplateView, type TemplateExport, type ImportResult,
} from './templates.js';
export { liveDirectory, fixedDirectory, cachedDirectory, liveOrCached, isOfflineError, type DirectoryEntry, type DirectorySnapshot, type DirectorySource, type ExtensionLister, type DirectoryCacheReader } from './directory.js';
export {
  planPersonalBatch, createPersonalDrafts, queuePersonalDrafts, personalFileName,
  type PersonalPlan, type PersonalRow, type PersonalDraft, type PersonalFailure, type CreatePersonalDraftsResult,
} from './personal.js';
export { TTS_ENGINE_IDS, MIN_RATE, MAX_RATE, type TtsEngine, type TtsEngineId, type TtsEngineInfo, type TtsProbe, type TtsVoice, type SynthesizeRequest, type SynthesizeResult } from './tts/engine.js';
export { runCommand, type CommandRunner, type RunOptions, type RunResult } from './tts/run.js';
export {
  createEspeakEngine, createFliteEngine, createSayEngine, createSapiEngine, systemDeps,
  espeakArgs, fliteArgs, sayArgs, powershellArgs, sapiRate, parseEspeakVersion, parseEspeakVoices, parseFliteVersion, parseFliteVoices, parseSayVoices, parseSapiVoices,
  SAPI_SPEAK_SCRIPT, SAPI_VOICES_SCRIPT, ESPEAK_INFO, FLITE_INFO, SAY_INFO, SAPI_INFO,
  type LocalEngineDeps,
} from './tts/local.js';
export { createPbxEngine, parsePbxVoice, pbxSpeed, PBX_TTS_INFO, PBX_PROVIDERS, type PbxTtsTransport, type PbxEngineOptions } from './tts/pbx.js';
export { localEngines, discoverEngines, pickEngine, LOCAL_ORDER, type EngineReport } from './tts/discover.js';
export { speakToFile, withSpeechDir, type SpeakOptions, type SpeakRenderSettings } from './tts/speak.js';
