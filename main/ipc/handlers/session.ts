// Profiles, connecting and the connection state.
import { AppStateError } from '../errors.js';
import { DEMO_PROFILE_ID } from '../session.js';
import type { PbxClientLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';

export type SessionChannels =
  | 'listProfiles' | 'saveProfile' | 'deleteProfile' | 'testConnection' | 'connect' | 'disconnect'
  | 'connectionState' | 'reconnect' | 'startDemo';

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
    async startDemo() {
      const profile = await session.startDemo();
      const connection = await session.connect(DEMO_PROFILE_ID);
      return { profile, connection };
    },
  };
}
