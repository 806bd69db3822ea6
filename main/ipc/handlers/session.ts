// Profiles, connecting and the connection state.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveTlsPolicy } from '../../core/pbx/tls.js';
import { AppStateError } from '../errors.js';
import { DEMO_PROFILE_ID } from '../session.js';
import type { PbxClientLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';

export type SessionChannels =
  | 'listProfiles' | 'saveProfile' | 'deleteProfile' | 'testConnection' | 'connect' | 'disconnect'
  | 'connectionState' | 'reconnect' | 'startDemo'
  | 'testProfile' | 'addressWarnings' | 'connectMemory' | 'pickCertificate';

/** Largest certificate file the picker reads (a PEM chain of a few certificates is a few kB). */
const MAX_CERT_FILE_BYTES = 20_000;

export function sessionHandlers<C extends PbxClientLike>(app: AppContext<C>): HandlersFor<SessionChannels> {
  const { session, services } = app;
  return {
    async listProfiles() {
      return { profiles: await session.profiles(), secretStorage: services.profiles.secretStatus() };
    },
    async saveProfile(req) {
      if (req.id === DEMO_PROFILE_ID) throw new AppStateError('PROFILE_READ_ONLY', 'The demo profile cannot be edited.', 'usage');
      const before = req.id ? await session.profile(req.id) : undefined;
      const saved = await services.profiles.save(req);
      // Another address or other credentials: the clients made with the old settings must not be used again.
      if (before && (before.baseUrl !== saved.baseUrl || before.clientId !== saved.clientId || req.clientSecret !== undefined || JSON.stringify(before.tls) !== JSON.stringify(saved.tls))) {
        await session.forget(saved.id);
      }
      app.outbox.kick();
      return saved;
    },
    async deleteProfile(req) {
      await session.forget(req.id);
      await session.memory.forget(req.id);
      return { deleted: await services.profiles.delete(req.id) };
    },
    async testConnection(req) {
      return session.testConnection(req.id);
    },
    async connect(req) {
      return session.connect(req.id);
    },
    async disconnect() {
      return { disconnected: await session.disconnect() };
    },
    async connectionState() {
      return session.connectionState();
    },
    async reconnect() {
      const state = await session.reconnect();
      if (state.status === 'online') app.outbox.kick();
      return state;
    },
    async testProfile(req) {
      const { operationId, ...entered } = req;
      return app.operations.run(operationId, (signal) => session.testEntered(entered, signal));
    },
    async addressWarnings(req) {
      return { warnings: session.addressWarnings(req.baseUrl) };
    },
    async connectMemory() {
      const stored = new Set((await services.profiles.list()).map((p) => p.id));
      const logins = Object.fromEntries(Object.entries(await session.memory.all()).filter(([id]) => stored.has(id)));
      const last = await session.memory.lastProfileId();
      return { lastProfileId: last !== null && stored.has(last) ? last : null, logins };
    },
    async pickCertificate() {
      const pick = services.dialogs.openCertificateFile;
      if (!pick) throw new AppStateError('NO_FILE_DIALOG', 'This window cannot open a file dialog. Paste the certificate text (PEM) instead.', 'usage');
      const file = await pick.call(services.dialogs);
      if (file === null) return null;
      const size = (await stat(file).catch(() => null))?.size;
      if (size === undefined) throw new AppStateError('CERT_FILE_UNREADABLE', 'That file could not be read. Choose the certificate file (.pem, .crt) again.');
      if (size > MAX_CERT_FILE_BYTES) throw new AppStateError('CERT_FILE_TOO_LARGE', 'That file is too large for a certificate. Choose the PEM file (.pem, .crt) exported from the PBX or your certificate authority.');
      const pem = await readFile(file, 'utf8');
      resolveTlsPolicy({ caPem: pem }); // throws PBX_BAD_CA in words when it is not a PEM certificate
      return { pem, fileName: path.basename(file) };
    },
    async startDemo() {
      const profile = await session.startDemo();
      const connection = await session.connect(DEMO_PROFILE_ID);
      return { profile, connection };
    },
  };
}
