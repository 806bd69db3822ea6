// In-memory stand-in for PbxClient's greeting calls, with call counting, a concurrency gauge and fault scripting.
import { promises as fs } from 'node:fs';
import type { GreetingTransport } from '../../../../main/core/library/index.js';

export type Op = 'ask' | 'force' | 'download' | 'delete';

export class FakeTransport implements GreetingTransport {
  readonly store = new Map<string, Map<string, Buffer>>();
  readonly calls: { op: Op; ext: string; fileName: string }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Per-call hook: throw to fail the call; `after` decides whether a force stores before failing. */
  fault: ((op: Op, ext: string, fileName: string) => { error: unknown; after?: boolean } | undefined) | undefined;
  delayMs = 0;

  greetings(ext: string): Map<string, Buffer> {
    let m = this.store.get(ext);
    if (!m) {
      m = new Map();
      this.store.set(ext, m);
    }
    return m;
  }

  count(op: Op): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private async enter<T>(op: Op, ext: string, fileName: string, body: () => Promise<T>): Promise<T> {
    this.calls.push({ op, ext, fileName });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      const f = this.fault?.(op, ext, fileName);
      if (f && !f.after) throw f.error;
      const result = await body();
      if (f?.after) throw f.error;
      return result;
    } finally {
      this.inFlight -= 1;
    }
  }

  greetingExists(ext: string, fileName: string): Promise<{ exists: boolean; existType?: string }> {
    return this.enter('ask', ext, fileName, async () => (this.greetings(ext).has(fileName) ? { exists: true, existType: 'record' } : { exists: false }));
  }

  uploadGreetingFile(opts: { ext: string; filePath: string; fileName: string; mode: 'ask' | 'force'; onProgress?: (s: number, t: number) => void }): Promise<unknown> {
    return this.enter(opts.mode === 'force' ? 'force' : 'ask', opts.ext, opts.fileName, async () => {
      const bytes = await fs.readFile(opts.filePath);
      if (opts.mode === 'force') this.greetings(opts.ext).set(opts.fileName, bytes);
      opts.onProgress?.(bytes.length, bytes.length);
      return { ok: true };
    });
  }

  downloadGreeting(ext: string, fileName: string, destPath: string): Promise<{ bytes: number }> {
    return this.enter('download', ext, fileName, async () => {
      const bytes = this.greetings(ext).get(fileName);
      if (!bytes) throw Object.assign(new Error('DATA NOT FOUND'), { errcode: 60001 });
      await fs.writeFile(destPath, bytes);
      return { bytes: bytes.length };
    });
  }

  deleteGreeting(ext: string, fileName: string): Promise<void> {
    return this.enter('delete', ext, fileName, async () => {
      this.greetings(ext).delete(fileName);
    });
  }
}
