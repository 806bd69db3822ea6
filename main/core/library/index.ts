// Public API of the library area: drafts, upload history, persistent queue and its worker, rollback, batch.
export { LibraryError } from './errors.js';
export { defaultDataDir, APP_DIR_NAME } from './paths.js';
export { writeFileAtomic, writeJsonAtomic, copyFileAtomic, hashFile, type AtomicWriteHooks } from './atomic.js';
export type { Draft, DraftSettings, DraftIndexEntry, DraftOrigin, QueueItem, QueueState, HistoryEntry } from './schemas.js';
export { DraftSchema, DraftIndexSchema, QueueItemSchema, HistoryEntrySchema, TERMINAL_STATES } from './schemas.js';
export { DraftLibrary, DEFAULT_SETTINGS, type DraftLibraryOptions, type OpenReport, type CreateDraftInput } from './drafts.js';
export type { GreetingTransport, RenderFn, RenderRequest, RenderOutcome, RenderControl, ProbeFn, IfExistsPolicy, GreetingFormat, FormatChoice, ExtensionDirectory } from './types.js';
export { HistoryStore, type BackupInfo } from './history.js';
export { UploadQueue, isTerminal, type EnqueueInput, type QueueSource } from './queue.js';
export { QueueWorker, MAX_CONCURRENCY, summarise, type QueueWorkerOptions, type QueueProgress, type QueueRunSummary, type QueueItemResult } from './worker.js';
export { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';
export { classifyError, PERMANENT_ERRCODES, TRANSIENT_ERRCODES, type Classified } from './classify.js';
export { rollback, type RollbackResult } from './rollback.js';
export { parseExtensionList, MAX_EXTENSIONS_PER_SPEC } from './ranges.js';
export { parseCsvMapping, readCsvMapping, type CsvRow, type CsvRowError, type CsvMapping, type CsvCheckOptions } from './csvmap.js';
export { dryRunBatch, runBatch, batchExitCode, batchFileName, itemsForExtensions, type BatchItem, type DryRunReport, type DryRunRow, type DryRunVerdict } from './batch.js';
export { knownExtensionNumbers } from './directory.js';
export { openLibrary, type LibraryServices } from './services.js';
