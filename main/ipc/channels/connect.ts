// Channels of the Connect screen beyond the profile basics of channels.ts: testing the values as entered (nothing
// saved), the address check (core security warnings), what the screen remembers (last profile, failed logins), and
// the certificate file picker. Spread into `channels` in channels.ts; imports only zod (the renderer bundles it).
// The value schemas repeat the few lines of channels.ts they need: importing channels.ts here would be circular.
import { z } from 'zod';

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid id');
const Fingerprint = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'Enter a SHA-256 fingerprint like AB:CD:… (64 hexadecimal digits)'));
const Tls = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('system') }),
  z.strictObject({ mode: z.literal('pin'), pinSha256: Fingerprint }),
  z.strictObject({ mode: z.literal('ca'), caPem: z.string().min(1, 'Choose or paste the certificate (PEM)').max(20_000) }),
]);
const Address = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'Enter the PBX address as https://host:port');

function res<T>(): T {
  return undefined as unknown as T;
}

/** Failed logins in a row for one profile, and what that leaves before the PBX blocks this computer's IP. */
export interface LoginAttempts {
  failures: number;
  attemptsLeft: number;
  limit: number;
  /** ISO time the PBX said the block ends; null when not blocked (or it did not say). */
  blockedUntil: string | null;
}
export interface ProfileTestResult {
  extensionCount: number;
  /** The PBX client's security warnings for these values (plain HTTP: the secret travels unencrypted). */
  warnings: string[];
}
export interface ConnectMemoryView {
  lastProfileId: string | null;
  /** By profile id. */
  logins: Record<string, LoginAttempts>;
}
export interface PickedCertificate {
  pem: string;
  fileName: string;
}

export const connectChannels = {
  /** Tests the values as entered, saving nothing; a stored secret (id given, secret omitted) only for its own origin. */
  testProfile: {
    request: z.strictObject({
      id: Id.optional(),
      baseUrl: Address,
      clientId: z.string().trim().min(1, 'Enter the Client ID').max(256),
      clientSecret: z.string().min(1).max(256).optional(),
      tls: Tls,
      operationId: Id,
    }),
    response: res<ProfileTestResult>(),
  },
  /** The security warnings the PBX client gives for an address (no network). */
  addressWarnings: { request: z.strictObject({ baseUrl: Address }), response: res<{ warnings: string[] }>() },
  connectMemory: { request: z.strictObject({}), response: res<ConnectMemoryView>() },
  /** Native file dialog for a CA or PBX certificate; null when cancelled. */
  pickCertificate: { request: z.strictObject({}), response: res<PickedCertificate | null>() },
} as const;
