// Content Security Policy of the app page: nothing remote, scripts only from the app itself. style-src needs
// 'unsafe-inline' because wavesurfer.js injects a <style> into its shadow root; media/connect allow blob: for
// recorded takes and rendered previews played from memory.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' blob:",
  "font-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export type HeaderMap = Record<string, string[] | string>;

/** Response headers with any CSP the response carried replaced by ours (case-insensitive). */
export function withCsp(headers: HeaderMap | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const lower = k.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

export interface WebRequestLike {
  onHeadersReceived(
    listener: (
      details: { responseHeaders?: Record<string, string[]> },
      callback: (response: { responseHeaders?: Record<string, string[]>; cancel?: boolean }) => void,
    ) => void,
  ): void;
}

/** Adds the CSP header to every response the session receives (defence in depth next to the meta tag). */
export function installCsp(session: { webRequest: WebRequestLike }): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
}
