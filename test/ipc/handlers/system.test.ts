// System handlers over fakes: capabilities, format plans, cancelling a long operation, allowed links.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../../../main/core/errors.js';
import { createHandlers, type AppHandlers, type HandlerContext } from '../../../main/ipc/handlers/index.js';
import { fakePbxState, fakeServices } from '../fakes.js';

let dir: string;
let app: AppHandlers;
const ctx: HandlerContext = { emit: () => undefined };
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-system-test-'));
  const base = fakeServices(dir, fakePbxState(3));
  app = createHandlers({
    ...base,
    audio: {
      ...base.audio,
      // An analysis that runs until it is cancelled.
      analyse: (_p, o) => new Promise((_resolve, reject) => o.signal?.addEventListener('abort', () => reject(new CancelledError()), { once: true })),
    },
  });
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('system', () => {
  it('capabilities and planFormat come from the audio engine', async () => {
    expect((await app.handlers.capabilities({}, ctx)).formats).toContain('gsm');
    expect(await app.handlers.planFormat({ durationSec: 10, format: 'auto' }, ctx)).toMatchObject({ format: 'wav' });
  });

  it('cancel stops the operation with that id; an unknown id cancels nothing', async () => {
    const src = await app.handlers.importBytes({ name: 'a.wav', bytes: new Uint8Array(1000) }, ctx);
    const running = app.handlers.analyse({ sourceId: src.sourceId, operationId: 'op-1' }, ctx);
    await new Promise((r) => setTimeout(r, 20));
    await expect(app.handlers.analyse({ sourceId: src.sourceId, operationId: 'op-1' }, ctx)).rejects.toMatchObject({ code: 'OPERATION_ID_IN_USE' });
    expect(await app.handlers.cancel({ operationId: 'op-1' }, ctx)).toEqual({ cancelled: true });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await app.handlers.cancel({ operationId: 'op-1' }, ctx)).toEqual({ cancelled: false });
  });

  it('opens only allow-listed links', async () => {
    await expect(app.handlers.openExternal({ url: 'https://evil.example/' }, ctx)).rejects.toMatchObject({ code: 'LINK_NOT_ALLOWED' });
  });
});
