// Paths of dropped files, handed out as one-time tokens. Only the preload obtains a path (webUtils.getPathForFile on a
// File that Electron itself made from a real drop) and registers it over a preload-only IPC channel; the page then
// imports by token. A page can never name a path: one it made up has no token, and each token works once.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AppStateError } from './errors.js';

export const DROPPED_TOKEN_TTL_MS = 2 * 60 * 1000;
const MAX_OUTSTANDING = 64;

export class DroppedPaths {
  private readonly tokens = new Map<string, { path: string; expires: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Registers an absolute path and returns its token. */
  register(filePath: string): string {
    if (typeof filePath !== 'string' || filePath === '' || filePath.includes('\0') || !path.isAbsolute(filePath)) {
      throw new AppStateError('IMPORT_BAD_PATH', 'That dropped item is not a file on this computer.');
    }
    this.sweep();
    while (this.tokens.size >= MAX_OUTSTANDING) {
      const oldest = this.tokens.keys().next().value;
      if (oldest === undefined) break;
      this.tokens.delete(oldest);
    }
    const token = randomBytes(18).toString('base64url');
    this.tokens.set(token, { path: filePath, expires: this.now() + DROPPED_TOKEN_TTL_MS });
    return token;
  }

  /** The path of a token, once; throws for an unknown, used or expired token. */
  take(token: string): string {
    this.sweep();
    const hit = this.tokens.get(token);
    this.tokens.delete(token);
    if (!hit) throw new AppStateError('IMPORT_DROP_EXPIRED', 'That dropped file is no longer available to import. Drop it again.');
    return hit.path;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, v] of this.tokens) if (v.expires <= now) this.tokens.delete(k);
  }
}
