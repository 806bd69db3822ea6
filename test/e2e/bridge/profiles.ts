// In-memory PBX profiles for the bridge: the Electron app keeps them in a settings file with the secret encrypted
// by safeStorage (main/shell); the handlers only see this port, so the e2e flow is the same. Like the app's store,
// a secret is bound to the origin it was entered for: saving another address without a secret drops it.
import { randomUUID } from 'node:crypto';
import { originOf } from '../../../main/core/pbx/url.js';
import type { ProfileSummary, SecretStorageStatus } from '../../../main/ipc/channels.js';
import type { BoundSecret, ProfileInput, ProfileStorePort } from '../../../main/ipc/services.js';

export class MemoryProfiles implements ProfileStorePort {
  private readonly items = new Map<string, { summary: ProfileSummary; secret?: BoundSecret }>();

  async list(): Promise<ProfileSummary[]> {
    return [...this.items.values()].map((v) => v.summary);
  }

  async save(input: ProfileInput): Promise<ProfileSummary> {
    const id = input.id ?? randomUUID().replace(/-/g, '').slice(0, 16);
    const origin = originOf(input.baseUrl);
    const old = this.items.get(id)?.secret;
    const secret = input.clientSecret !== undefined ? { secret: input.clientSecret, origin } : old?.origin === origin ? old : undefined;
    const summary: ProfileSummary = {
      id, name: input.name, baseUrl: input.baseUrl, clientId: input.clientId, tls: input.tls,
      hasSecret: secret !== undefined, secretSessionOnly: false, demo: false,
    };
    this.items.set(id, { summary, ...(secret !== undefined ? { secret } : {}) });
    return summary;
  }

  async delete(id: string): Promise<boolean> {
    return this.items.delete(id);
  }

  async getSecret(id: string): Promise<BoundSecret | undefined> {
    return this.items.get(id)?.secret;
  }

  secretStatus(): SecretStorageStatus {
    return { available: true, backend: 'memory' };
  }
}
