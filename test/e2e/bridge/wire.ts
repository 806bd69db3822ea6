// Wire format of the test bridge: JSON in which every Uint8Array travels as { "$bytes": base64 }, standing in for
// Electron's structured clone (which keeps typed arrays). The browser half of this lives in shim.ts, which must be
// self-contained because Playwright serialises it into the page.
export const BYTES_KEY = '$bytes';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    // JSON.stringify hands Buffers to replacers already turned into { type: 'Buffer', data }, so catch typed arrays first.
    if (v instanceof Uint8Array) return { [BYTES_KEY]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (isBufferJson(v)) return { [BYTES_KEY]: Buffer.from(v.data).toString('base64') };
    return v;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const rec = v as Record<string, unknown>;
      const b64 = rec[BYTES_KEY];
      if (typeof b64 === 'string' && Object.keys(rec).length === 1) {
        const buf = Buffer.from(b64, 'base64');
        // A plain Uint8Array, as structured clone would deliver it (not a Buffer).
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
    }
    return v;
  });
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}
