// Upload history: one folder per entry under <dataDir>/history/<id>/ holding entry.json and, when an upload replaced
// an existing greeting, the backup of what was there before (downloaded before the overwrite).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir, hashFile, readJsonFile, releaseTemp, removeStaleTemps, tempPathFor, writeJsonAtomic } from './atomic.js';
import { LibraryError } from './errors.js';
import { HistoryEntrySchema, type HistoryEntry } from './schemas.js';
import type { GreetingTransport } from './types.js';
import { newId } from './util.js';

export interface BackupInfo {
  /** Path relative to the history folder. */
  file: string;
  fileName: string;
  bytes: number;
  sha256: string;
}

export class HistoryStore {
  readonly dir: string;
  private readonly now: () => number;

  constructor(opts: { dataDir: string; now?: () => number }) {
    this.dir = path.join(opts.dataDir, 'history');
    this.now = opts.now ?? Date.now;
  }

  newId(): string {
    return newId('h', this.now());
  }

  folderOf(id: string): string {
    if (!/^h-[a-z0-9]+-[a-f0-9]{8}$/.test(id)) throw notFound(id);
    return path.join(this.dir, id);
  }

  /** Downloads the greeting currently on the PBX into <id>/backup/<fileName> (temp file + rename). */
  async backupExisting(transport: GreetingTransport, id: string, ext: string, fileName: string): Promise<BackupInfo> {
    const folder = path.join(this.folderOf(id), 'backup');
    await fs.mkdir(folder, { recursive: true });
    await removeStaleTemps(folder);
    const final = path.join(folder, path.basename(fileName));
    const temp = tempPathFor(final);
    try {
      await transport.downloadGreeting(ext, fileName, temp);
      const handle = await fs.open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, final);
      await fsyncDir(folder);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    } finally {
      releaseTemp(temp);
    }
    const info = await hashFile(final);
    return { file: path.posix.join(id, 'backup', path.basename(fileName)), fileName, ...info };
  }

  /** Removes a backup taken into folder `id` that turned out not to be needed (the PBX already held our bytes). */
  async dropBackup(id: string): Promise<void> {
    await fs.rm(path.join(this.folderOf(id), 'backup'), { recursive: true, force: true });
  }

  /** Finds a backup already taken into folder `id` (used when an item resumes after a crash). */
  async findBackup(id: string, fileName: string): Promise<BackupInfo | null> {
    const final = path.join(this.folderOf(id), 'backup', path.basename(fileName));
    try {
      const info = await hashFile(final);
      return { file: path.posix.join(id, 'backup', path.basename(fileName)), fileName, ...info };
    } catch {
      return null;
    }
  }

  backupPath(backup: BackupInfo): string {
    return path.join(this.dir, ...backup.file.split('/'));
  }

  /** Writes (or rewrites, idempotently for the same id) an entry. */
  async record(entry: Omit<HistoryEntry, 'schemaVersion' | 'at'> & { at?: string }): Promise<HistoryEntry> {
    const full = HistoryEntrySchema.parse({ schemaVersion: 1, at: entry.at ?? new Date(this.now()).toISOString(), ...entry });
    await fs.mkdir(this.folderOf(full.id), { recursive: true });
    await writeJsonAtomic(path.join(this.folderOf(full.id), 'entry.json'), full);
    return full;
  }

  async get(id: string): Promise<HistoryEntry> {
    const raw = await readJsonFile(path.join(this.folderOf(id), 'entry.json'));
    if ('missing' in raw) throw notFound(id);
    const parsed = 'value' in raw ? HistoryEntrySchema.safeParse(raw.value) : null;
    if (!parsed?.success) throw new LibraryError('internal', 'HISTORY_CORRUPT', `The history entry ${id} is damaged and cannot be read.`);
    return parsed.data;
  }

  /** Entries newest first; unreadable or unfinished folders are skipped. */
  async list(filter?: { ext?: string; pbxProfileId?: string; limit?: number }): Promise<HistoryEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const out: HistoryEntry[] = [];
    for (const name of names.sort().reverse()) {
      if (!name.startsWith('h-')) continue;
      const raw = await readJsonFile(path.join(this.dir, name, 'entry.json'));
      const parsed = 'value' in raw ? HistoryEntrySchema.safeParse(raw.value) : null;
      if (!parsed?.success) continue;
      if (filter?.ext && parsed.data.ext !== filter.ext) continue;
      if (filter?.pbxProfileId && parsed.data.pbxProfileId !== filter.pbxProfileId) continue;
      out.push(parsed.data);
    }
    out.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
    return filter?.limit ? out.slice(0, filter.limit) : out;
  }
}

function notFound(id: string): LibraryError {
  return new LibraryError('input', 'HISTORY_NOT_FOUND', `There is no history entry "${id}". List the history to see the ids that exist.`);
}
