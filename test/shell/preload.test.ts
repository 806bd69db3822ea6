import { describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (channel: string, payload: unknown): Promise<{ ok: boolean; value: unknown }> => ({ ok: true, value: { channel, payload } }));
const listeners = new Map<string, ((e: unknown, p: unknown) => void)[]>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
  ipcRenderer: {
    invoke,
    send: vi.fn(),
    on: (ch: string, l: (e: unknown, p: unknown) => void) => void listeners.set(ch, [...(listeners.get(ch) ?? []), l]),
    removeListener: (ch: string, l: (e: unknown, p: unknown) => void) => void listeners.set(ch, (listeners.get(ch) ?? []).filter((x) => x !== l)),
  },
  webUtils: { getPathForFile: () => '/home/me/hello.wav' },
}));

import { CHANNEL_NAMES } from '../../main/ipc/channels.js';

describe('preload', () => {
  it('exposes exactly one named function per channel plus on/importDroppedFile, and no ipcRenderer or path channel', async () => {
    await import('../../main/shell/preload.js');
    const api = exposed['vmgs'] as Record<string, unknown>;
    expect(Object.keys(exposed)).toEqual(['vmgs']);
    expect(Object.keys(api).sort()).toEqual([...CHANNEL_NAMES, 'on', 'importDroppedFile'].sort());
    expect(Object.keys(api)).not.toContain('importPath');
    expect(Object.keys(api)).not.toContain('pathForFile');
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipcRenderer|invoke|send/);
  });

  it('each function invokes its own vmgs: channel with only the payload', async () => {
    const api = exposed['vmgs'] as Record<string, (p: unknown) => Promise<unknown>>;
    const r = await api['searchExtensions']!({ query: 'ann', page: 1, pageSize: 50 });
    expect(invoke).toHaveBeenLastCalledWith('vmgs:searchExtensions', { query: 'ann', page: 1, pageSize: 50 });
    expect(r).toEqual({ ok: true, value: { channel: 'vmgs:searchExtensions', payload: { query: 'ann', page: 1, pageSize: 50 } } });
  });

  it('subscribes only to known events, strips the IPC event object, and unsubscribes', () => {
    const api = exposed['vmgs'] as { on: (e: string, l: (p: unknown) => void) => () => void };
    const got: unknown[] = [];
    const off = api.on('progress', (p) => got.push(p));
    listeners.get('vmgs-event:progress')?.forEach((l) => l({ sender: 'internals' }, { operationId: 'o', percent: 5, stage: 's' }));
    expect(got).toEqual([{ operationId: 'o', percent: 5, stage: 's' }]);
    off();
    expect(listeners.get('vmgs-event:progress')).toEqual([]);
    expect(() => api.on('vmgs:listProfiles', () => undefined)).toThrow(/Unknown event/);
  });

  it('importDroppedFile registers the real path over the preload-only channel and imports by the token it gets', async () => {
    const api = exposed['vmgs'] as { importDroppedFile: (f: object) => Promise<unknown> };
    invoke.mockClear();
    invoke.mockImplementationOnce(async () => ({ ok: true, value: { token: 'tok-1' } }));
    const r = await api.importDroppedFile({});
    expect(invoke.mock.calls).toEqual([
      ['vmgs-preload:registerDroppedPath', '/home/me/hello.wav'],
      ['vmgs:importDropped', { token: 'tok-1' }],
    ]);
    expect(r).toEqual({ ok: true, value: { channel: 'vmgs:importDropped', payload: { token: 'tok-1' } } });
  });
});
