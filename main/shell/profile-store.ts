// PBX profiles in a JSON settings file (name, URL, client id, TLS option); the client secret only ever stored
// encrypted through the SecretStore. When encryption is unavailable the secret lives in memory for this session.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TlsOption, type ProfileSummary, type SecretStorageStatus } from '../ipc/channels.js';
import type { BoundSecret, ProfileInput, ProfileStorePort } from '../ipc/services.js';
import { originOf } from '../core/pbx/url.js';
import type { SecretStore } from './secret-store.js';

const StoredProfile = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string(),
  baseUrl: z.string(),
  clientId: z.string(),
  tls: TlsOption,
  encryptedSecret: z.string().optional(),
  /** The origin (scheme://host:port) the secret was entered for; files without it bind it to their baseUrl. */
  secretOrigin: z.string().optional(),
});
type StoredProfile = z.infer<typeof StoredProfile>;
const SettingsFile = z.object({ version: z.literal(1), profiles: z.array(StoredProfile) });

export class FileProfileStore implements ProfileStorePort {
  private cache: StoredProfile[] | null = null;
  private readonly sessionSecrets = new Map<string, BoundSecret>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string, private readonly secrets: SecretStore) {}

  private async load(): Promise<StoredProfile[]> {
    if (this.cache) return this.cache;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      this.cache = [];
      return this.cache;
    }
    const parsed = SettingsFile.safeParse(safeJson(text));
    if (parsed.success) {
      this.cache = parsed.data.profiles;
    } else {
      // Keep the unreadable file for the person to inspect instead of silently overwriting it.
      await rename(this.file, `${this.file}.unreadable-${Date.now()}`).catch(() => undefined);
      this.cache = [];
    }
    return this.cache;
  }

  private async persist(profiles: StoredProfile[]): Promise<void> {
    this.cache = profiles;
    const body = JSON.stringify({ version: 1, profiles }, null, 2);
    const run = async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.file);
    };
    this.writing = this.writing.then(run, run);
    await this.writing;
  }

  private summary(p: StoredProfile): ProfileSummary {
    const session = this.sessionSecrets.has(p.id);
    return {
      id: p.id,
      name: p.name,
      baseUrl: p.baseUrl,
      clientId: p.clientId,
      tls: p.tls,
      hasSecret: p.encryptedSecret !== undefined || session,
      secretSessionOnly: session && p.encryptedSecret === undefined,
      demo: false,
    };
  }

  async list(): Promise<ProfileSummary[]> {
    return (await this.load()).map((p) => this.summary(p));
  }

  async save(input: ProfileInput): Promise<ProfileSummary> {
    const profiles = [...(await this.load())];
    const id = input.id ?? randomUUID().replace(/-/g, '').slice(0, 16);
    const index = profiles.findIndex((p) => p.id === id);
    const previous = index >= 0 ? profiles[index] : undefined;
    const origin = safeOrigin(input.baseUrl);
    let encryptedSecret = previous?.encryptedSecret;
    let secretOrigin = previous ? (previous.secretOrigin ?? safeOrigin(previous.baseUrl) ?? undefined) : undefined;
    if (input.clientSecret !== undefined) {
      if (this.secrets.status().available) {
        encryptedSecret = this.secrets.encrypt(input.clientSecret);
        secretOrigin = origin ?? undefined;
        this.sessionSecrets.delete(id);
      } else {
        // Refuse plain text on disk: keep it for this session only (the status message says so).
        encryptedSecret = undefined;
        secretOrigin = undefined;
        if (origin !== null) this.sessionSecrets.set(id, { secret: input.clientSecret, origin });
      }
    } else if (origin === null || secretOrigin !== origin) {
      // A stored secret is bound to the origin it was entered for: a new scheme, host or port drops it.
      encryptedSecret = undefined;
      secretOrigin = undefined;
      this.sessionSecrets.delete(id);
    }
    const session = this.sessionSecrets.get(id);
    if (session && session.origin !== origin) this.sessionSecrets.delete(id);
    const next: StoredProfile = {
      id,
      name: input.name,
      baseUrl: input.baseUrl,
      clientId: input.clientId,
      tls: input.tls,
      ...(encryptedSecret !== undefined ? { encryptedSecret, ...(secretOrigin !== undefined ? { secretOrigin } : {}) } : {}),
    };
    if (index >= 0) profiles[index] = next;
    else profiles.push(next);
    await this.persist(profiles);
    return this.summary(next);
  }

  async delete(id: string): Promise<boolean> {
    const profiles = await this.load();
    const next = profiles.filter((p) => p.id !== id);
    this.sessionSecrets.delete(id);
    if (next.length === profiles.length) return false;
    await this.persist(next);
    return true;
  }

  async getSecret(id: string): Promise<BoundSecret | undefined> {
    const p = (await this.load()).find((x) => x.id === id);
    const origin = p ? safeOrigin(p.baseUrl) : null;
    const session = this.sessionSecrets.get(id);
    if (session !== undefined) return session.origin === origin ? session : undefined;
    if (!p?.encryptedSecret || origin === null) return undefined;
    const bound = p.secretOrigin ?? origin;
    if (bound !== origin) return undefined;
    return { secret: this.secrets.decrypt(p.encryptedSecret), origin: bound };
  }

  secretStatus(): SecretStorageStatus {
    return this.secrets.status();
  }
}

function safeOrigin(url: string): string | null {
  try {
    return originOf(url);
  } catch {
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
