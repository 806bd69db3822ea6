// Streams a multipart upload with busboy: keeps at most `sizeLimitBytes` of the file in memory, drains the rest.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

export interface ParsedUpload {
  fields: Map<string, string>;
  /** The `file` part, if one with a filename arrived. */
  file?: { filename: string; mimeType: string; bytes: Buffer; size: number; oversize: boolean };
  /** The body was not parseable multipart (wrong Content-Type, broken framing). */
  malformed: boolean;
}

export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve();
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}

export async function parseUpload(req: IncomingMessage, sizeLimitBytes: number): Promise<ParsedUpload> {
  const fields = new Map<string, string>();
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      preservePath: true, // we take the basename ourselves (both '/' and '\')
      // busboy flags 'limit' on reaching the cap exactly, so allow one byte more: a file of exactly the limit is fine.
      limits: { fileSize: sizeLimitBytes + 1, files: 1, fields: 32, fieldSize: 64 * 1024, parts: 64 },
    });
  } catch {
    await drain(req);
    return { fields, malformed: true };
  }

  return new Promise<ParsedUpload>((resolve) => {
    let file: ParsedUpload['file'];
    let pending: Promise<void> = Promise.resolve();
    let settled = false;
    const finish = (malformed: boolean): void => {
      if (settled) return;
      settled = true;
      void pending.then(() => {
        const result: ParsedUpload = { fields, malformed };
        if (file) result.file = file;
        resolve(result);
      });
    };

    bb.on('field', (name, value) => {
      if (!fields.has(name)) fields.set(name, value);
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const entry = { filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.alloc(0), size: 0, oversize: false };
      file = entry;
      pending = new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          chunks.push(chunk);
        });
        stream.on('limit', () => {
          entry.oversize = true; // busboy truncated at limit+1 bytes and discards (drains) the rest of this part
        });
        stream.on('close', () => {
          entry.bytes = Buffer.concat(chunks, size);
          entry.size = size;
          done();
        });
        stream.on('error', () => done());
      });
    });
    bb.on('close', () => finish(false));
    bb.on('error', () => {
      req.unpipe(bb);
      void drain(req).then(() => finish(true));
    });
    // A client that hangs up mid-body: busboy never finishes the file part, so settle now without waiting for it.
    req.on('close', () => {
      if (req.complete || settled) return;
      settled = true;
      req.unpipe(bb);
      bb.destroy();
      resolve({ fields, malformed: true });
    });
    req.pipe(bb);
  });
}
