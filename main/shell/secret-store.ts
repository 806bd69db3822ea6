// SecretStore port for the PBX client secret. The Electron implementation uses safeStorage and refuses to store a
// secret when it would effectively be plain text (no encryption, or Linux's 'basic_text' backend without a
// keyring); the memory implementation is for tests and the e2e bridge.
import { VmgsError } from '../core/errors.js';
import type { SecretStorageStatus } from '../ipc/channels.js';

export interface SecretStore {
  status(): SecretStorageStatus;
  /** Opaque, storable text. Throws SecretStorageUnavailableError when it cannot be encrypted. */
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export class SecretStorageUnavailableError extends VmgsError {
  constructor(message: string, backend: string) {
    super('input', 'SECRET_STORAGE_UNAVAILABLE', message, { detail: { backend } });
  }
}

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const NO_ENCRYPTION =
  'This computer offers no encrypted storage to the app, so the Client Secret is not saved (it would be stored as plain text). ' +
  'It is kept only until you quit; enter it again next time.';
const BASIC_TEXT =
  'No system keyring was found (GNOME Keyring / KWallet), so Electron would store the Client Secret as plain text. ' +
  'It is not saved: it is kept only until you quit. Install and unlock a keyring (e.g. gnome-keyring) to save it.';

export class ElectronSecretStore implements SecretStore {
  constructor(private readonly safeStorage: SafeStorageLike, private readonly platform: string = process.platform) {}

  status(): SecretStorageStatus {
    if (!this.safeStorage.isEncryptionAvailable()) return { available: false, backend: 'none', message: NO_ENCRYPTION };
    if (this.platform === 'linux') {
      const backend = this.safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
      if (backend === 'basic_text' || backend === 'unknown') return { available: false, backend, message: BASIC_TEXT };
      return { available: true, backend };
    }
    return { available: true, backend: this.platform === 'darwin' ? 'keychain' : this.platform === 'win32' ? 'dpapi' : 'os' };
  }

  encrypt(plain: string): string {
    const st = this.status();
    if (!st.available) throw new SecretStorageUnavailableError(st.message ?? NO_ENCRYPTION, st.backend);
    return this.safeStorage.encryptString(plain).toString('base64');
  }

  decrypt(stored: string): string {
    const st = this.status();
    if (!st.available) throw new SecretStorageUnavailableError(st.message ?? NO_ENCRYPTION, st.backend);
    try {
      return this.safeStorage.decryptString(Buffer.from(stored, 'base64'));
    } catch (cause) {
      throw new VmgsError('input', 'SECRET_UNREADABLE', 'The saved Client Secret could not be decrypted (the keyring changed?). Edit the profile and enter it again.', { cause });
    }
  }
}

/** In-process store for tests and the e2e bridge. NOT secure: the "ciphertext" is reversible without a key. */
export class MemorySecretStore implements SecretStore {
  constructor(private readonly available = true) {}
  status(): SecretStorageStatus {
    return this.available
      ? { available: true, backend: 'memory' }
      : { available: false, backend: 'none', message: NO_ENCRYPTION };
  }
  encrypt(plain: string): string {
    if (!this.available) throw new SecretStorageUnavailableError(NO_ENCRYPTION, 'none');
    return 'mem:' + Buffer.from(plain, 'utf8').toString('base64');
  }
  decrypt(stored: string): string {
    if (!stored.startsWith('mem:')) throw new VmgsError('input', 'SECRET_UNREADABLE', 'The saved Client Secret could not be read.');
    return Buffer.from(stored.slice(4), 'base64').toString('utf8');
  }
}
