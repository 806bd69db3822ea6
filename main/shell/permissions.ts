// Permission policy: Electron grants everything by default. Only the microphone (media, audio only) is allowed,
// and only for the app's own page; everything else is denied, in both the request and the check handler.
export interface PermissionRequestDetailsLike {
  requestingUrl?: string;
  mediaTypes?: ('video' | 'audio')[];
}
export interface PermissionCheckDetailsLike {
  mediaType?: 'video' | 'audio' | 'unknown';
  requestingUrl?: string;
  securityOrigin?: string;
}

export function allowPermissionRequest(permission: string, details: PermissionRequestDetailsLike, isAppUrl: (url: string) => boolean): boolean {
  if (permission !== 'media') return false;
  const types = details.mediaTypes ?? [];
  if (types.length === 0 || !types.every((t) => t === 'audio')) return false;
  return typeof details.requestingUrl === 'string' && isAppUrl(details.requestingUrl);
}

export function allowPermissionCheck(permission: string, requestingOrigin: string, details: PermissionCheckDetailsLike, isAppUrl: (url: string) => boolean): boolean {
  if (permission !== 'media' || details.mediaType !== 'audio') return false;
  return isAppUrl(requestingOrigin) && (details.requestingUrl === undefined || isAppUrl(details.requestingUrl));
}

export interface PermissionSessionLike {
  setPermissionRequestHandler(
    handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetailsLike) => void) | null,
  ): void;
  setPermissionCheckHandler(
    handler: ((webContents: unknown, permission: string, requestingOrigin: string, details: PermissionCheckDetailsLike) => boolean) | null,
  ): void;
}

export function installPermissionHandlers(session: PermissionSessionLike, isAppUrl: (url: string) => boolean): void {
  // Reset first so a previously granted permission prompts again (as Signal does).
  session.setPermissionRequestHandler(null);
  session.setPermissionCheckHandler(null);
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(allowPermissionRequest(permission, details, isAppUrl));
  });
  session.setPermissionCheckHandler((_wc, permission, origin, details) => allowPermissionCheck(permission, origin, details, isAppUrl));
}

/** macOS keeps a microphone stream silent until the person grants access in System Settings. */
export async function askForMicrophone(platform: string, prefs: { askForMediaAccess(t: 'microphone'): Promise<boolean> }): Promise<boolean> {
  if (platform !== 'darwin') return true;
  try {
    return await prefs.askForMediaAccess('microphone');
  } catch {
    return false;
  }
}
