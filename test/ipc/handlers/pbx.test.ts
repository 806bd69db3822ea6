// PBX handlers over fakes: greetings of the connected PBX, and extension search offline from the directory cache.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type AppHandlers, type HandlerContext } from '../../../main/ipc/handlers/index.js';
import { fakePbxState, fakeServices, type FakePbxState } from '../fakes.js';

let dir: string;
let state: FakePbxState;
let app: AppHandlers;
const ctx: HandlerContext = { emit: () => undefined };
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-pbx-test-'));
  state = fakePbxState(30);
  app = createHandlers(fakeServices(dir, state, { dialogs: { openAudioFile: async () => null, saveFile: async () => path.join(dir, 'saved.wav') } }));
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});
const h = () => app.handlers;

describe('greetings on the connected PBX', () => {
  it('lists, plays, downloads (through the save dialog) and deletes; says to connect first when not connected', async () => {
    await expect(h().listGreetings({ ext: '3200' }, ctx)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await h().startDemo({}, ctx);
    state.greetings.set('3200', new Map([['hello.wav', Buffer.from('RIFFabc')]]));
    expect((await h().listGreetings({ ext: '3200' }, ctx)).map((g) => g.file)).toEqual(['hello.wav']);
    const play = await h().playGreeting({ ext: '3200', file: 'hello.wav' }, ctx);
    expect(play.mime).toBe('audio/wav');
    expect(Buffer.from(play.bytes).toString('latin1')).toBe('RIFFabc');
    expect(await h().downloadGreeting({ ext: '3200', file: 'hello.wav' }, ctx)).toEqual({ saved: true, bytes: 7 });
    expect(await readFile(path.join(dir, 'saved.wav'), 'latin1')).toBe('RIFFabc');
    await h().deleteGreeting({ ext: '3200', file: 'hello.wav' }, ctx);
    expect(await h().listGreetings({ ext: '3200' }, ctx)).toEqual([]);
  });
});

describe('extension search offline', () => {
  it('answers from the directory last read for the profile, with its date; unknown numbers are not refused', async () => {
    const p = await h().saveProfile({ name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' } }, ctx);
    // Never connected: no directory kept, so the picker is told to type numbers (NOT_CONNECTED).
    await expect(h().searchExtensions({ query: '', page: 1, pageSize: 10, profileId: p.id }, ctx)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await h().connect({ id: p.id }, ctx);
    for (let i = 0; i < 100 && !(await app.context.directory.read({ origin: 'https://pbx:8088', clientId: 'id' }))?.complete; i++) await new Promise((r) => setTimeout(r, 10));
    await h().disconnect({}, ctx);
    const page = await h().searchExtensions({ query: 'person 2', page: 1, pageSize: 5 }, ctx);
    expect(page).toMatchObject({ source: 'cache', profileId: p.id, total: 11 });
    expect(page.items).toHaveLength(5);
    expect(page.fetchedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
