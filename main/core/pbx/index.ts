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
export { uploadWithPolicy, renamedCandidate } from './policy.js';
export type { OverwritePolicy, ExistsDecision, UploadWithPolicyOptions, UploadOutcome, GreetingUploader } from './policy.js';
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
