// Streams a downloaded greeting into a temp file next to the destination and renames it only when complete,
// so a broken or cancelled download never leaves a partial file under the real name (or at all).
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError } from '../errors.js';
import { PbxInputError } from './errors.js';

const LOCAL_WRITE_ERRORS = new Set(['EACCES', 'EPERM', 'ENOENT', 'ENOSPC', 'EROFS', 'EISDIR', 'EEXIST', 'ENOTDIR']);

export async function streamToFile(res: IncomingMessage, destPath: string): Promise<{ bytes: number }> {
  const dir = path.dirname(path.resolve(destPath));
  const tmp = path.join(dir, `.${path.basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(tmp, { flags: 'wx' }));
    // A connection cut between chunks can end the stream without an error: check completeness ourselves.
    const expected = Number(res.headers['content-length']);
    if (!res.complete || (Number.isFinite(expected) && expected !== bytes)) throw Object.assign(new Error('truncated'), { code: 'ECONNRESET' });
    await rename(tmp, destPath);
    return { bytes };
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    if (error instanceof CancelledError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // Only errors of our own file system are the user's to fix; socket errors are mapped by the transport.
    if (LOCAL_WRITE_ERRORS.has(code) && (error as NodeJS.ErrnoException).syscall !== undefined) {
      throw new PbxInputError('PBX_DEST_UNWRITABLE', `The greeting could not be saved to the chosen location (${code}). Choose another folder or free some disk space.`, { sysCode: code });
    }
    throw error;
  }
}
