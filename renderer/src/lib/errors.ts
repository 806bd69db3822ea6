// Turns typed errors into what the person sees: a short title, the core's message (which already says what to
// do), and, for a certificate problem, the fingerprint they may choose to pin.
import { ApiError } from './api.js';

export interface ShownError {
  title: string;
  message: string;
  code: string;
  fingerprint?: string;
}

const TITLES: Record<string, string> = {
  'PBX_-1': 'Wrong Client ID or Client Secret',
  PBX_70004: 'This computer is blocked by the PBX',
  PBX_70087: 'IP address not allowed',
  PBX_60002: 'Too many sessions',
  PBX_10005: 'No permission',
  PBX_40004: 'File too large',
  PBX_TLS_PIN_MISMATCH: 'Certificate does not match the pinned fingerprint',
  PBX_TLS_UNTRUSTED: 'Untrusted certificate',
  PBX_TLS_HOSTNAME_MISMATCH: 'Certificate is for another host name',
  PBX_TLS_EXPIRED: 'Certificate expired',
  PBX_TLS_HANDSHAKE: 'Secure connection failed',
  PBX_TIMEOUT: 'The PBX did not answer in time',
  PBX_HTTP_TO_HTTPS_PORT: 'Wrong scheme for this port',
  PBX_HTTPS_TO_HTTP_PORT: 'Wrong scheme for this port',
  NOT_CONNECTED: 'Not connected',
  SECRET_STORAGE_UNAVAILABLE: 'Secret not saved',
  IPC_BAD_PAYLOAD: 'Invalid input',
  CANCELLED: 'Cancelled',
  NO_BRIDGE: 'App bridge missing',
};

function withoutFingerprint(message: string, fp: string): string {
  return message.split(fp).join('(shown below)').replace(/\s+\(shown below\)/g, ' (shown below)');
}

export function describeError(e: unknown): ShownError {
  if (e instanceof ApiError) {
    const fp = e.detail?.['fingerprint256'];
    const title = TITLES[e.code] ?? (e.kind === 'network' ? 'Cannot reach the PBX' : e.kind === 'audio' ? 'Audio problem' : e.kind === 'pbx' ? 'The PBX refused the request' : 'Something went wrong');
    const showFp = typeof fp === 'string' && fp !== '' && e.code.startsWith('PBX_TLS_');
    return {
      title,
      // The fingerprint gets its own line (with the pin button): do not print it twice.
      message: showFp ? withoutFingerprint(e.message, fp) : e.message,
      code: e.code,
      ...(showFp ? { fingerprint: fp } : {}),
    };
  }
  if (e instanceof DOMException && (e.name === 'NotAllowedError' || e.name === 'SecurityError')) {
    return { title: 'Microphone blocked', message: 'The app may not use the microphone. Allow microphone access for VM Greeting Studio in your system settings, then try again.', code: 'MIC_DENIED' };
  }
  if (e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError')) {
    return { title: 'No microphone', message: 'No microphone was found (or the chosen one was unplugged). Connect one and choose it from the list.', code: 'MIC_NOT_FOUND' };
  }
  return { title: 'Something went wrong', message: e instanceof Error ? e.message : String(e), code: 'UNKNOWN' };
}
