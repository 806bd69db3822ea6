import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../main/sim/index.js';
import { api, getToken, rawRequest } from './helpers.js';

function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = sock.getPeerCertificate().fingerprint256;
      sock.end();
      resolve(fp);
    });
    sock.on('error', reject);
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

describe('HTTPS and lifecycle', () => {
  it('serves HTTPS with a self-signed certificate for 127.0.0.1 and localhost and exposes its fingerprint', async () => {
    const sim = await startSimulator({ https: true });
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.certPem).toContain('BEGIN CERTIFICATE');
      const x = new X509Certificate(sim.certPem as string);
      expect(sim.fingerprint256).toBe(x.fingerprint256);
      expect(sim.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(x.subjectAltName).toContain('DNS:localhost');
      expect(await peerFingerprint(sim.port)).toBe(sim.fingerprint256);
      // Verified against the certificate as a CA, by IP and by name.
      await getToken(sim);
      const byName = await rawRequest(`https://localhost:${sim.port}/openapi/v1.0/extension/list`, { ca: sim.certPem as string });
      expect(JSON.parse(byName.body.toString()).errcode).toBe(10004);
      // Default verification refuses it.
      await expect(rawRequest(`${sim.url}/openapi/v1.0/extension/list`)).rejects.toThrow(/self[- ]signed/i);
    } finally {
      await sim.close();
    }
  });

  it('each HTTPS simulator gets its own certificate', async () => {
    const a = await startSimulator({ https: true });
    const b = await startSimulator({ https: true });
    try {
      expect(a.fingerprint256).not.toBe(b.fingerprint256);
      expect(a.port).not.toBe(b.port);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('plain HTTP has no certificate; replies say Connection: close like the PBX', async () => {
    const sim = await startSimulator();
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.certPem).toBeUndefined();
      const r = await rawRequest(`${sim.url}/openapi/v1.0/extension/list`);
      expect(r.headers.connection).toBe('close');
    } finally {
      await sim.close();
    }
  });

  it('close() frees the port even with open keep-alive connections (HTTP and HTTPS)', async () => {
    for (const useHttps of [false, true]) {
      const sim = await startSimulator({ https: useHttps, keepAlive: true });
      const agent = useHttps ? new https.Agent({ keepAlive: true, ca: sim.certPem as string }) : new http.Agent({ keepAlive: true });
      const lib = useHttps ? https : http;
      await new Promise<void>((resolve, reject) => {
        lib.get(`${sim.url}/openapi/v1.0/extension/list`, { agent, headers: { 'User-Agent': 'OpenAPI' } }, (res) => {
          expect(res.headers.connection).toBe('keep-alive');
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
      const port = sim.port;
      const t = Date.now();
      await sim.close();
      expect(Date.now() - t).toBeLessThan(2000);
      expect(await portIsFree(port)).toBe(true);
      agent.destroy();
      await sim.close(); // idempotent
    }
  });

  it('httpAlso answers plain HTTP on a second port with the same state', async () => {
    const sim = await startSimulator({ https: true, httpAlso: true });
    try {
      expect(sim.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { access } = await getToken(sim);
      const viaHttp = await rawRequest(`${sim.httpUrl as string}/openapi/v1.0/extension/list?access_token=${access}`);
      expect(JSON.parse(viaHttp.body.toString()).errcode).toBe(0);
      const port = Number(new URL(sim.httpUrl as string).port);
      await sim.close();
      expect(await portIsFree(port)).toBe(true);
      expect(await portIsFree(sim.port)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('answers 70087 to callers outside the API IP allow-list', async () => {
    const sim = await startSimulator({ ipAllowList: ['192.0.2.1'] });
    try {
      const r = await api(sim, 'get_token', { json: { username: sim.clientId, password: sim.clientSecret } });
      expect(r).toEqual({ errcode: 70087, errmsg: 'IP FORBIDDEN' });
      sim.setOptions({ ipAllowList: ['127.0.0.1'] });
      await getToken(sim);
    } finally {
      await sim.close();
    }
  });

  it('listens on a requested port', async () => {
    const probe = await startSimulator();
    const port = probe.port;
    await probe.close();
    const sim = await startSimulator({ port });
    try {
      expect(sim.url).toBe(`http://127.0.0.1:${port}`);
      expect((await api(sim, 'extension/list')).errcode).toBe(10004);
    } finally {
      await sim.close();
    }
  });
});
