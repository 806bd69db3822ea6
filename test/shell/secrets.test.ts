import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ElectronSecretStore, MemorySecretStore, type SafeStorageLike } from '../../main/shell/secret-store.js';
import { FileProfileStore } from '../../main/shell/profile-store.js';

function fakeSafeStorage(available: boolean, backend = 'gnome_libsecret'): SafeStorageLike & { encrypted: string[] } {
  const encrypted: string[] = [];
  return {
    encrypted,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => {
      encrypted.push(s);
      return Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a));
    },
    decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
  };
}

describe('ElectronSecretStore', () => {
  it('encrypts with safeStorage when a real backend is available', () => {
    const s = new ElectronSecretStore(fakeSafeStorage(true), 'linux');
    expect(s.status()).toEqual({ available: true, backend: 'gnome_libsecret' });
    const enc = s.encrypt('top-secret');
    expect(enc).not.toContain('top-secret');
    expect(Buffer.from(enc, 'base64').toString()).not.toContain('top-secret');
    expect(s.decrypt(enc)).toBe('top-secret');
    expect(new ElectronSecretStore(fakeSafeStorage(true), 'darwin').status().backend).toBe('keychain');
  });

  it("refuses plain text: no encryption, or Linux's basic_text backend, and says so", () => {
    for (const [ss, platform] of [[fakeSafeStorage(false), 'win32'], [fakeSafeStorage(true, 'basic_text'), 'linux']] as const) {
      const s = new ElectronSecretStore(ss, platform);
      const st = s.status();
      expect(st.available).toBe(false);
      expect(st.message).toMatch(/plain text/);
      expect(() => s.encrypt('top-secret')).toThrow(expect.objectContaining({ code: 'SECRET_STORAGE_UNAVAILABLE' }));
      expect(ss.encrypted).toEqual([]);
    }
  });
});

describe('FileProfileStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-profiles-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const input = { name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'cid', clientSecret: 'top-secret', tls: { mode: 'system' as const } };

  it('stores the secret only encrypted and reads it back after a restart', async () => {
    const file = path.join(dir, 'settings.json');
    const ss = fakeSafeStorage(true);
    const a = new FileProfileStore(file, new ElectronSecretStore(ss, 'linux'));
    const saved = await a.save(input);
    expect(saved).toMatchObject({ name: 'Office', hasSecret: true, secretSessionOnly: false });
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('top-secret');
    expect(text).toContain('cid');
    const b = new FileProfileStore(file, new ElectronSecretStore(ss, 'linux'));
    expect((await b.getSecret(saved.id))?.secret).toBe('top-secret');
    // editing without a secret keeps the stored one
    await b.save({ id: saved.id, name: 'Office 2', baseUrl: input.baseUrl, clientId: 'cid', tls: input.tls });
    expect((await b.getSecret(saved.id))?.secret).toBe('top-secret');
    expect((await b.list()).map((p) => p.name)).toEqual(['Office 2']);
    expect(await b.delete(saved.id)).toBe(true);
    expect(await b.list()).toEqual([]);
  });

  it('with basic_text the secret never reaches the disk and is kept for this session only', async () => {
    const file = path.join(dir, 'settings.json');
    const store = new FileProfileStore(file, new ElectronSecretStore(fakeSafeStorage(true, 'basic_text'), 'linux'));
    const saved = await store.save(input);
    expect(saved).toMatchObject({ hasSecret: true, secretSessionOnly: true });
    expect(await readFile(file, 'utf8')).not.toContain('top-secret');
    expect((await store.getSecret(saved.id))?.secret).toBe('top-secret');
    expect(store.secretStatus()).toMatchObject({ available: false, backend: 'basic_text' });
    const restarted = new FileProfileStore(file, new ElectronSecretStore(fakeSafeStorage(true, 'basic_text'), 'linux'));
    expect(await restarted.list()).toEqual([expect.objectContaining({ hasSecret: false })]);
    expect(await restarted.getSecret(saved.id)).toBeUndefined();
  });

  it('sets an unreadable settings file aside instead of crashing or overwriting it', async () => {
    const file = path.join(dir, 'settings.json');
    await writeFile(file, '{ not json');
    const store = new FileProfileStore(file, new MemorySecretStore());
    expect(await store.list()).toEqual([]);
    expect((await readdir(dir)).some((f) => f.startsWith('settings.json.unreadable-'))).toBe(true);
  });
});
