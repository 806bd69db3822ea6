// Public API of the Yeastar P-Series OpenAPI client.
export { PbxClient } from './client.js';
export type {
  PbxClientOptions,
  Extension,
  ExtensionPage,
  ExtensionSortField,
  ListExtensionsOptions,
  Greeting,
  UploadGreetingOptions,
  UploadResult,
  CreateTtsGreetingOptions,
  TtsGreetingRequest,
} from './client.js';
export {
  PbxApiError,
  PbxNetworkError,
  PbxTimeoutError,
  PbxTlsError,
  PbxSchemeMismatchError,
  PbxBadResponseError,
  PbxInputError,
  GreetingExistsError,
} from './errors.js';
export { ERRMSG, apiErrorFor } from './errcodes.js';
export { PBX_ERRCODES } from './errors.js';
export { normalizeBaseUrl, originOf, redactUrl, apiUrl } from './url.js';
export type { BaseUrl } from './url.js';
export { normalizeFingerprint } from './tls.js';
export type { PbxTlsOptions } from './tls.js';
export { cleanGreetingName, contentTypeFor, checkExtensionNumber } from './multipart.js';
export type { UploadMode } from './multipart.js';
export { defaultUserAgent } from './version.js';
// Which greeting plays (per presence status), rename, record by phone, safe delete.
export {
  FOLLOW_SYSTEM,
  EXTENSION_DEFAULT,
  parseSelection,
  buildUpdateBody,
  requireSlots,
  matrixOf,
  describeChoice,
  statusFromWire,
} from './selection.js';
export type { SelectionRead, SelectionSupport, SelectionMatrix, SlotView, SlotChoice, ValueForm } from './selection.js';
export {
  activeMatrix,
  activateUploaded,
  assertNotPlaying,
  chooseGreeting,
  deleteGreetingSafely,
  extensionIds,
  findGreeting,
  probeRename,
  readSelection,
  readSelectionById,
  readSelections,
  recordByPhone,
  renameGreeting,
  restoreSelection,
} from './presence.js';
export type { PresenceApi, Choice, ChooseResult, RestoreResult, SafeDeleteResult, RenameResult, RecordOptions } from './presence.js';
export {
  SelectionUnsupportedError,
  SelectionNotTakenError,
  GreetingInUseError,
  RenameUnsupportedError,
  RecordTimeoutError,
  GreetingNotFoundError,
} from './selection-errors.js';
