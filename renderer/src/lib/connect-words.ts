// Words and small rules of the Connect screen, as plain functions (unit-tested in test/renderer/connect.test.ts):
// the address a person types, the attempts left before the PBX blocks this computer, the end of a block in local
// time, certificate problems, and which field a refused value belongs to.
import type { LoginAttempts } from '../../../main/ipc/channels/connect.js';

/** "pbx.example.com:8088" -> "https://pbx.example.com:8088"; an address with a scheme is kept as typed. */
export function withScheme(address: string): string {
  const a = address.trim();
  if (a === '') return a;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) return a;
  return `https://${a.replace(/^\/+/, '')}`;
}

/** The local time of day "14:32" (24-hour clock), with the day when it is not today ("3 Dec, 09:05"). */
export function localClock(at: Date, now: Date = new Date()): string {
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  if (at.toDateString() === now.toDateString()) return time;
  return `${at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}, ${time}`;
}

/** "blocked until 14:32", or null when the end is unknown or not a time. */
export function blockedUntilText(iso: string | null | undefined, now: Date = new Date()): string | null {
  if (!iso) return null;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  return `blocked until ${localClock(at, now)}`;
}

/** What the failed logins so far leave, or null when there were none (and no block). */
export function attemptsText(a: LoginAttempts | undefined, now: Date = new Date()): string | null {
  if (!a) return null;
  const blocked = blockedUntilText(a.blockedUntil, now);
  if (blocked) return `The PBX has this computer ${blocked} after ${a.limit} failed logins.`;
  if (a.failures === 0) return null;
  if (a.attemptsLeft === 0) return `${a.failures} failed logins in a row: the PBX blocks this computer's IP address now. Ask an administrator to unblock it before trying again.`;
  const left = `${a.attemptsLeft} ${a.attemptsLeft === 1 ? 'attempt' : 'attempts'} left`;
  return `${a.failures} failed ${a.failures === 1 ? 'login' : 'logins'} in a row: ${left} before the PBX blocks this computer's IP address.`;
}

export type TlsProblem = 'self-signed' | 'unknown-ca' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'fingerprint-mismatch' | 'revoked' | 'other';

const TLS_TITLES: Record<TlsProblem, string> = {
  'self-signed': 'The PBX uses a self-signed certificate',
  'unknown-ca': 'The certificate comes from an unknown authority',
  expired: 'The PBX certificate has expired',
  'not-yet-valid': 'The PBX certificate is not valid yet',
  'wrong-host': 'The certificate is for another address',
  'fingerprint-mismatch': 'The certificate does not match the pinned one',
  revoked: 'The PBX certificate was revoked',
  other: 'The PBX certificate could not be checked',
};

/** A heading for a certificate problem (from the error's detail.problem), or null for any other error. */
export function tlsTitle(detail: Record<string, unknown> | undefined): string | null {
  const p = detail?.['problem'];
  return typeof p === 'string' && p in TLS_TITLES ? TLS_TITLES[p as TlsProblem] : null;
}

/** True when trusting a certificate file would solve it (self-signed or an unknown authority). */
export function certificateFileHelps(detail: Record<string, unknown> | undefined): boolean {
  const p = detail?.['problem'];
  return p === 'self-signed' || p === 'unknown-ca' || p === 'other';
}

/** The raw verification code for the small print ("DEPTH_ZERO_SELF_SIGNED_CERT"), or null. */
export function technicalCode(detail: Record<string, unknown> | undefined): string | null {
  const r = detail?.['reason'];
  return typeof r === 'string' && /^[A-Z0-9_]{3,80}$/.test(r) ? r : null;
}

export type ConnectField = 'baseUrl' | 'clientId' | 'clientSecret' | 'name' | 'pin' | 'caPem';

/** The form field a refused request path belongs to ('tls.pinSha256' -> 'pin'). */
export function fieldOf(path: unknown): ConnectField | null {
  switch (path) {
    case 'baseUrl':
    case 'clientId':
    case 'clientSecret':
    case 'name':
      return path;
    case 'tls.pinSha256':
      return 'pin';
    case 'tls.caPem':
      return 'caPem';
    default:
      return null;
  }
}

export interface EnteredValues {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tlsMode: 'system' | 'pin' | 'ca';
  pin: string;
  caPem: string;
}

/** Problems the screen can name before asking main (main checks again): field -> what to do. */
export function fieldProblems(v: EnteredValues, opts: { needSecret: boolean }): Partial<Record<ConnectField, string>> {
  const out: Partial<Record<ConnectField, string>> = {};
  const address = withScheme(v.baseUrl);
  if (address === '') out.baseUrl = 'Enter the PBX address, for example pbx.example.com:8088.';
  else {
    try {
      const u = new URL(address);
      if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.hostname === '') out.baseUrl = 'The PBX address must start with https:// (or http://).';
    } catch {
      out.baseUrl = 'That is not an address. Enter it as pbx.example.com:8088 or https://pbx.example.com:8088.';
    }
  }
  if (v.clientId.trim() === '') out.clientId = 'Enter the Client ID from Integrations > API on the PBX.';
  if (opts.needSecret && v.clientSecret === '') out.clientSecret = 'Enter the Client Secret from Integrations > API on the PBX.';
  if (v.tlsMode === 'pin' && !/^([0-9A-F]{2}:?){31}[0-9A-F]{2}$/i.test(v.pin.replace(/\s+/g, ''))) {
    out.pin = 'Enter the SHA-256 fingerprint: 64 hexadecimal digits, in pairs separated by colons.';
  }
  if (v.tlsMode === 'ca' && !v.caPem.includes('-----BEGIN CERTIFICATE-----')) out.caPem = 'Choose the certificate file or paste its text (it starts with -----BEGIN CERTIFICATE-----).';
  return out;
}

/** 'ab cd…' / 'ABCD…' -> 'AB:CD:…' (the form main expects). */
export function canonicalPin(pin: string): string {
  const hex = pin.replace(/[\s:]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(':') : pin.trim();
}
