// Self-signed certificate for the HTTPS simulator (SAN IP:127.0.0.1 and DNS:localhost), with its SHA-256 fingerprint.
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface SimCertificate { keyPem: string; certPem: string; fingerprint256: string }

export async function makeSelfSignedCert(): Promise<SimCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'Yeastar P-Series Simulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { keyPem: pems.private, certPem: pems.cert, fingerprint256: new X509Certificate(pems.cert).fingerprint256 };
}
