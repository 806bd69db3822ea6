// Zod-free helpers shared with the renderer (importing them does not pull zod into the page bundle).
export const MAX_GREETING_NAME = 60;

/** Live validation of a greeting name; returns a message, or null when valid. */
export function greetingNameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a name for the greeting.';
  if (name.length > MAX_GREETING_NAME) return `Use at most ${MAX_GREETING_NAME} characters.`;
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return 'Use only letters, digits, "-" and "_" (no spaces or accents): the PBX rejects other characters.';
  return null;
}

/** Links the app may open in the system browser (exact https origins). */
export const EXTERNAL_LINK_ALLOW_LIST: readonly string[] = ['https://help.yeastar.com', 'https://www.yeastar.com', 'https://github.com'];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_LINK_ALLOW_LIST.includes(u.origin) && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
