import { describe, expect, it } from 'vitest';
import busboy from 'busboy';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildUploadBody, checkExtensionNumber, cleanGreetingName, contentTypeFor, placeholderAudio } from '../../../main/core/pbx/multipart.js';
import { PbxInputError } from '../../../main/core/pbx/errors.js';

async function parse(body: Awaited<ReturnType<typeof buildUploadBody>>) {
  const parts: { name: string; filename?: string; mimeType?: string; value: Buffer }[] = [];
  const chunks: Buffer[] = [];
  for await (const c of body.stream) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  expect(raw.length).toBe(body.contentLength);
  await new Promise<void>((resolve, reject) => {
    const bb = busboy({ headers: { 'content-type': String(body.headers['content-type']) } });
    bb.on('field', (name, value) => parts.push({ name, value: Buffer.from(value) }));
    bb.on('file', (name, stream, info) => {
      const data: Buffer[] = [];
      const part = { name, filename: info.filename, mimeType: info.mimeType, value: Buffer.alloc(0) };
      parts.push(part);
      stream.on('data', (d: Buffer) => data.push(d));
      stream.on('end', () => (part.value = Buffer.concat(data)));
    });
    bb.on('close', resolve);
    bb.on('error', reject);
    bb.end(raw);
  });
  return parts;
}

describe('greeting names', () => {
  it.each([
    ['vm_away.wav', 'vm_away.wav'],
    ['/D:/greeting/vm_away.wav', 'vm_away.wav'],
    ['C:\\Users\\x\\Night-Mode.MP3', 'Night-Mode.MP3'],
    ['  closed.gsm ', 'closed.gsm'],
  ])('%j -> %s', (input, out) => expect(cleanGreetingName(input)).toBe(out));

  it.each(['', 'a', 'greeting.ogg', 'bad"quote.wav', 'cr\r\nlf.wav', 'ünï.wav', 'sp ace.wav', '.hidden.wav', `${'x'.repeat(101)}.wav`, 'dir/'])('rejects %j', (input) => {
    expect(() => cleanGreetingName(input)).toThrow(PbxInputError);
  });

  it('maps content types by suffix', () => {
    expect(contentTypeFor('a.wav')).toBe('audio/wav');
    expect(contentTypeFor('a.WAV')).toBe('audio/wav');
    expect(contentTypeFor('a.mp3')).toBe('audio/mpeg');
    expect(contentTypeFor('a.gsm')).toBe('audio/x-gsm');
  });

  it('validates extension numbers', () => {
    expect(checkExtensionNumber(' 3200 ')).toBe('3200');
    for (const bad of ['', '32 00', '3200&x=1', '3200/..', 'x'.repeat(200), '32\n00']) expect(() => checkExtensionNumber(bad)).toThrow(PbxInputError);
  });
});

describe('buildUploadBody', () => {
  it('streams owner, file (clean name, audio type) and is_check with an exact Content-Length', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vmgs-mp-'));
    try {
      const file = path.join(dir, 'input.bin');
      const bytes = Buffer.alloc(300_000, 7);
      writeFileSync(file, bytes);
      const body = await buildUploadBody('3200', 'vm_away.wav', 'force', { kind: 'path', path: file });
      expect(body.fileBytes).toBe(300_000);
      expect(String(body.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
      const parts = await parse(body);
      expect(parts.map((p) => p.name)).toEqual(['owner', 'file', 'is_check']);
      expect(parts[0]!.value.toString()).toBe('3200');
      expect(parts[1]).toMatchObject({ filename: 'vm_away.wav', mimeType: 'audio/wav' });
      expect(parts[1]!.value.equals(bytes)).toBe(true);
      expect(parts[2]!.value.toString()).toBe('force');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file as input error', async () => {
    await expect(buildUploadBody('3200', 'a.wav', 'force', { kind: 'path', path: '/nonexistent/x.wav' })).rejects.toMatchObject({ code: 'PBX_FILE_UNREADABLE' });
  });

  it('builds small valid placeholders for ask', async () => {
    const wav = placeholderAudio('a.wav');
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(placeholderAudio('a.gsm')).toHaveLength(33);
    expect(placeholderAudio('a.MP3').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfb]));
    const body = await buildUploadBody('3200', 'a.gsm', 'ask', { kind: 'buffer', bytes: placeholderAudio('a.gsm') });
    const parts = await parse(body);
    expect(parts[1]).toMatchObject({ filename: 'a.gsm', mimeType: 'audio/x-gsm' });
    expect(parts[2]!.value.toString()).toBe('ask');
  });
});
