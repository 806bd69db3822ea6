// Audio capabilities, format planning, cancelling long operations, and opening allowed links.
import { isAllowedExternalUrl } from '../channels.js';
import { AppStateError } from '../errors.js';
import type { PbxClientLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';

export type SystemChannels = 'capabilities' | 'planFormat' | 'cancel' | 'openExternal';

export function systemHandlers<C extends PbxClientLike>(app: AppContext<C>): HandlersFor<SystemChannels> {
  return {
    async capabilities() {
      return app.services.audio.capabilities();
    },
    async planFormat(req) {
      return app.services.audio.planFormat(req.durationSec, req.format);
    },
    async cancel(req) {
      return { cancelled: app.operations.cancel(req.operationId) };
    },
    async openExternal(req) {
      if (!isAllowedExternalUrl(req.url)) throw new AppStateError('LINK_NOT_ALLOWED', 'That link is not on the list of sites the app opens.', 'usage');
      await app.services.openExternal(req.url);
      return { opened: true };
    },
  };
}
