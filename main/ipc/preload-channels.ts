// IPC channels only the preload uses (never part of window.vmgs). Imports nothing: the sandboxed preload bundles it.

/** Preload → main: register the path webUtils.getPathForFile gave for a dropped File; answers a one-time token. */
export const REGISTER_DROPPED_PATH_CHANNEL = 'vmgs-preload:registerDroppedPath';
