import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type HandlerContext } from '../../main/ipc/handlers/index.js';
import { AudioError } from '../../main/core/audio/errors.js';
import { CancelledError } from '../../main/core/errors.js';
import { importProblem, STALE_TAKE_MS } from '../../main/ipc/workspace.js';
import { fakePbxState, fakeServices } from './fakes.js';

describe('importProblem: what a failed import tells the person', () => {
  const paths = ['/tmp/vmgs-import-abc/broken.wav', '/data/drafts/d1/source.wav'];

  it('hides temp paths and the decoder\'s name, keeps the code and names the file', () => {
    const e = importProblem(new AudioError('AUDIO_NO_AUDIO_STREAM', 'ffmpeg could not read /tmp/vmgs-import-abc/broken.wav: Invalid data found'), 'broken.wav', paths) as AudioError;
    expect(e.code).toBe('AUDIO_NO_AUDIO_STREAM');
    expect(e.kind).toBe('audio');
    expect(e.message).toContain('"broken.wav" could not be read as audio');
    expect(e.message).not.toMatch(/ffmpeg|\/tmp\//i);
  });

  it('keeps a clean message, with the path replaced by the file name', () => {
    const e = importProblem(new AudioError('AUDIO_NO_AUDIO_STREAM', '"/data/drafts/d1/source.wav" has no audio stream (a video without sound?).'), 'clip.mp4', paths) as AudioError;
    expect(e.message).toBe('"clip.mp4" has no audio stream (a video without sound?).');
  });

  it('passes a cancellation through and turns anything else into a generic audio error', () => {
    const c = new CancelledError('The import');
    expect(importProblem(c, 'a.wav', paths)).toBe(c);
    const e = importProblem(new Error('spawn ffprobe ENOENT /usr/bin'), 'a.wav', paths) as AudioError;
    expect(e).toMatchObject({ code: 'IMPORT_UNREADABLE', kind: 'audio' });
  });
});

describe('a take left open by a reloaded window', () => {
  it('is offered back once no chunk arrived for STALE_TAKE_MS, and restoring it finishes it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-ws-test-'));
    const app = createHandlers(fakeServices(dir, fakePbxState(3)));
    const ctx: HandlerContext = { emit: () => undefined };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { takeId } = await app.handlers.startTake({ mimeType: 'audio/webm' }, ctx);
      await app.handlers.appendChunk({ takeId, seq: 0, bytes: new Uint8Array(1200).fill(3) }, ctx);
      expect(await app.handlers.listUnfinishedTakes({}, ctx)).toEqual([]); // still being recorded
      await expect(app.handlers.restoreTake({ takeId }, ctx)).rejects.toMatchObject({ code: 'TAKE_ACTIVE' });
      vi.setSystemTime(Date.now() + STALE_TAKE_MS + 10);
      expect(await app.handlers.listUnfinishedTakes({}, ctx)).toEqual([expect.objectContaining({ takeId, bytes: 1200 })]);
      const restored = await app.handlers.restoreTake({ takeId }, ctx);
      expect(restored).toMatchObject({ sourceId: takeId, sizeBytes: 1200, origin: 'recording' });
      expect(await app.handlers.listUnfinishedTakes({}, ctx)).toEqual([]);
    } finally {
      vi.useRealTimers();
      await app.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
