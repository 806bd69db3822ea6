// The multipart body of extension_vm_greeting/upload, streamed from disk with the form-data package.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import FormData from 'form-data';
import { PbxInputError } from './errors.js';
import { pcm16MonoWav } from '../wav.js';

export type UploadMode = 'ask' | 'force';

const CONTENT_TYPES: Readonly<Record<string, string>> = { '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.gsm': 'audio/x-gsm' };
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** 'audio/wav' | 'audio/mpeg' | 'audio/x-gsm' by the (case-insensitive) extension of the name. */
export function contentTypeFor(fileName: string): string {
  const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  const type = CONTENT_TYPES[ext];
  if (type === undefined) {
    throw new PbxInputError('PBX_BAD_FILE_NAME', `"${printable(fileName)}" must end in .wav, .mp3 or .gsm: those are the only greeting formats the PBX accepts.`);
  }
  return type;
}

/**
 * The greeting name the PBX will store: the basename (after the last / or \), which must be a plain name
 * (letters, digits, _, -, .) with a .wav/.mp3/.gsm suffix. Rejected rather than mangled: the admin must see the real name.
 */
export function cleanGreetingName(fileName: string): string {
  const base = fileName.trim().split(/[\\/]/).pop() ?? '';
  if (!SAFE_NAME.test(base) || base.includes('..')) {
    throw new PbxInputError('PBX_BAD_FILE_NAME', `The greeting name "${printable(base)}" is not allowed: use up to 100 letters, digits, _ or - followed by .wav, .mp3 or .gsm (the PBX rejects special characters).`);
  }
  contentTypeFor(base);
  return base;
}

/** Extension numbers go into the query and the form: keep them to characters a PBX extension number can have. */
export function checkExtensionNumber(ext: string): string {
  const v = ext.trim();
  if (!/^[0-9A-Za-z*#+_.-]{1,32}$/.test(v)) {
    throw new PbxInputError('PBX_BAD_EXTENSION', `"${printable(v).slice(0, 40)}" is not a valid extension number. Pick the extension from the list (digits only on most PBXs).`);
  }
  return v;
}

function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 120);
}

/** A tiny valid file of the right format: `ask` only checks the name, so the real file is not sent twice. */
export function placeholderAudio(fileName: string): Buffer {
  const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  if (ext === '.gsm') {
    const frame = Buffer.alloc(33);
    frame[0] = 0xd0; // GSM 06.10 frame signature nibble
    return frame;
  }
  if (ext === '.mp3') {
    // One silent MPEG-1 Layer III frame: 32 kbit/s, 32 kHz, mono -> 144 bytes.
    const frame = Buffer.alloc(144);
    frame.set([0xff, 0xfb, 0x18, 0xc0]);
    return frame;
  }
  // 20 ms of silence, 8 kHz mono 16-bit PCM WAV.
  return pcm16MonoWav(160);
}

export interface UploadBody {
  /** The body to send (the form piped through a plain Readable). */
  stream: Readable;
  /** Closes the file if the body is never (fully) sent. */
  dispose(): void;
  headers: Record<string, string | number>;
  contentLength: number;
  fileBytes: number;
}

export type FileSource = { kind: 'path'; path: string } | { kind: 'buffer'; bytes: Buffer };

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    return s.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new PbxInputError('PBX_FILE_UNREADABLE', `The greeting file could not be read (${code}). Check that it exists and is a file.`, { sysCode: code });
  }
}

/** Builds the form (owner, file, is_check) with an exact Content-Length, so the file streams without buffering. */
export async function buildUploadBody(owner: string, fileName: string, mode: UploadMode, source: FileSource): Promise<UploadBody> {
  const contentType = contentTypeFor(fileName);
  const form = new FormData();
  form.append('owner', owner);
  let fileBytes: number;
  let file: Readable | undefined;
  if (source.kind === 'path') {
    fileBytes = await fileSize(source.path);
    file = createReadStream(source.path, { highWaterMark: 256 * 1024 });
    form.append('file', file, { filename: fileName, contentType, knownLength: fileBytes });
  } else {
    fileBytes = source.bytes.length;
    form.append('file', source.bytes, { filename: fileName, contentType, knownLength: fileBytes });
  }
  form.append('is_check', mode);
  const contentLength = form.getLengthSync();
  const headers: Record<string, string | number> = { ...(form.getHeaders() as Record<string, string>), 'Content-Length': contentLength };
  // form-data is an old-style stream; a PassThrough gives the transport a real Readable and propagates file errors.
  const stream = new PassThrough({ highWaterMark: 256 * 1024 });
  form.on('error', (error: Error) => stream.destroy(error));
  form.pipe(stream);
  const dispose = (): void => {
    file?.destroy();
    stream.destroy();
  };
  return { stream, dispose, headers, contentLength, fileBytes };
}
