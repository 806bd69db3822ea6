import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'VM Greeting Studio';
const XDG_DIR_NAME = 'vm-greeting-studio';

/**
 * The platform's per-user app-data folder: %APPDATA%\VM Greeting Studio on Windows,
 * ~/Library/Application Support/VM Greeting Studio on macOS, $XDG_CONFIG_HOME (or ~/.config)/vm-greeting-studio elsewhere.
 * Parameters exist so tests can check each platform without running on it.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    const appData = env['APPDATA'] && env['APPDATA'] !== '' ? env['APPDATA'] : path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DIR_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const xdg = env['XDG_CONFIG_HOME'];
  // The XDG spec says relative values must be ignored.
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
  return path.posix.join(base, XDG_DIR_NAME);
}
