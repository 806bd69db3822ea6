// PbxClient against a tiny scripted server: wire format, token handling, transport failures, TLS policy.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PbxClient } from '../../../main/core/pbx/index.js';
import { appVersion } from '../../../main/core/pbx/version.js';
import { CancelledError } from '../../../main/core/errors.js';
import { caught, expectNoSecrets, json, makeCert, tempDir, tinyServer, tokenAnswer, type Handler, type TinyServer } from './helpers.js';

const SECRET = 'TopSecretClientSecret42';
const ID = 'ClientIdABCDEFGH';
let servers: TinyServer[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  while (cleanups.length) cleanups.pop()!();
});

async function serve(handler: Handler, tls?: Parameters<typeof tinyServer>[1]): Promise<TinyServer> {
  const s = await tinyServer(handler, tls);
  servers.push(s);
  return s;
}

/** A minimal PBX: tokens, extension list, and whatever `extra` answers. */
function pbx(extra: (ep: string, req: Parameters<Handler>[0], res: Parameters<Handler>[1]) => boolean = () => false): Handler {
  let n = 0;
  return (req, res) => {
    const ep = req.url.pathname.replace('/openapi/v1.0/', '');
    if (extra(ep, req, res)) return;
    if (ep === 'get_token' || ep === 'refresh_token') return json(res, tokenAnswer(++n));
    if (ep === 'del_token') return json(res, { errcode: 0, errmsg: 'SUCCESS' });
    if (ep === 'extension/list' || ep === 'extension/search') {
      return json(res, {
        errcode: 0,
        errmsg: 'SUCCESS',
        total_number: 2,
        data: [
          { id: 11, number: '3200', caller_id_name: 'Front Desk', email_addr: 'desk@example.com', presence_status: 'available', online_status: { sip_phone: { status: 0, ext_dev_type: 'sip', status_list: [{ status: 1, ip: '192.0.2.5' }] }, linkus_web: { status: 0 } }, role_name: 'Employee' },
          { id: 12, number: '3201', caller_id_name: 'Sales', online_status: {}, presence_status: 'away' },
        ],
      });
    }
    return json(res, { errcode: 10001, errmsg: 'INTERFACE NOT EXISTED' });
  };
}

function client(url: string, extra: Partial<ConstructorParameters<typeof PbxClient>[0]> = {}): PbxClient {
  return new PbxClient({ baseUrl: url, clientId: ID, clientSecret: SECRET, onWarning: () => undefined, timeoutMs: 5000, ...extra });
}

describe('PbxClient wire format', () => {
  it('sends a User-Agent everywhere, credentials as JSON, the token only in access_token, page/page_size as digits', async () => {
    const s = await serve(pbx());
    const c = client(`${s.url}/`);
    const page = await c.listExtensions({ page: 2, pageSize: 25, sortBy: 'number', orderBy: 'desc' });
    await c.searchExtensions(' desk ', { pageSize: 10 });
    await c.signOut();

    expect(s.seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'POST /openapi/v1.0/get_token',
      'GET /openapi/v1.0/extension/list',
      'GET /openapi/v1.0/extension/search',
      'GET /openapi/v1.0/del_token',
    ]);
    for (const r of s.seen) {
      expect(r.headers['user-agent']).toBe(`VMGreetingStudio/${appVersion()}`);
      expect(r.headers.authorization).toBeUndefined();
    }
    expect(appVersion()).toMatch(/^\d+\.\d+\.\d+/);
    const [tok, list, search, del] = s.seen;
    expect(tok!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(tok!.body.toString())).toEqual({ username: ID, password: SECRET });
    expect(tok!.url.search).toBe('');
    expect(Object.fromEntries(list!.url.searchParams)).toEqual({ page: '2', page_size: '25', sort_by: 'number', order_by: 'desc', access_token: 'ACCESS1xxxxxxxxxxxxxxxxxxxxxx' });
    expect(Object.fromEntries(search!.url.searchParams)).toEqual({ search_value: 'desk', page: '1', page_size: '10', access_token: 'ACCESS1xxxxxxxxxxxxxxxxxxxxxx' });
    expect(del!.url.searchParams.get('access_token')).toBe('ACCESS1xxxxxxxxxxxxxxxxxxxxxx');

    expect(page.total).toBe(2);
    expect(page.items).toEqual([
      { id: 11, number: '3200', callerIdName: 'Front Desk', email: 'desk@example.com', presence: 'available', online: true },
      { id: 12, number: '3201', callerIdName: 'Sales', email: '', presence: 'away', online: false },
    ]);
  });

  it('uses a custom User-Agent when given', async () => {
    const s = await serve(pbx());
    await client(s.url, { userAgent: 'vmgreet/1' }).listExtensions();
    expect(s.seen.every((r) => r.headers['user-agent'] === 'vmgreet/1')).toBe(true);
  });

  it('rejects bad paging options without a request', async () => {
    const s = await serve(pbx());
    const c = client(s.url);
    await expect(c.listExtensions({ page: 0 })).rejects.toMatchObject({ code: 'PBX_BAD_OPTION' });
    await expect(c.listExtensions({ pageSize: 5000 })).rejects.toMatchObject({ code: 'PBX_BAD_OPTION' });
    expect(s.seen).toHaveLength(0);
  });

  it('on 10004 refreshes once and retries once', async () => {
    let expired = 1;
    const s = await serve(pbx((ep, _req, res) => {
      if (ep === 'extension/list' && expired-- > 0) return (json(res, { errcode: 10004, errmsg: 'TOKEN EXPIRED' }), true);
      return false;
    }));
    const c = client(s.url);
    expect((await c.listExtensions()).total).toBe(2);
    expect(s.seen.map((r) => r.url.pathname.split('/').slice(3).join('/'))).toEqual(['get_token', 'extension/list', 'refresh_token', 'extension/list']);
    expect(s.seen[3]!.url.searchParams.get('access_token')).toBe('ACCESS2xxxxxxxxxxxxxxxxxxxxxx');
  });

  it('gives up after the single retry when the token keeps being refused', async () => {
    const s = await serve(pbx((ep, _req, res) => (ep === 'extension/list' ? (json(res, { errcode: 10004, errmsg: 'TOKEN EXPIRED' }), true) : false)));
    const e = await caught(() => client(s.url).listExtensions());
    expect(e.code).toBe('PBX_10004');
    expect(s.seen.filter((r) => r.url.pathname.endsWith('extension/list'))).toHaveLength(2);
    expectNoSecrets(e, [SECRET, 'ACCESS1', 'ACCESS2', 'REFRESH']);
  });

  it('never retries bad credentials', async () => {
    const s = await serve((req, res) => json(res, { errcode: -1, errmsg: 'FAILURE', invalid_param_list: [{ field: 'username or password', value: 'error' }] }));
    const c = client(s.url);
    const e1 = await caught(() => c.listExtensions());
    const e2 = await caught(() => c.testConnection());
    expect(e1.code).toBe('PBX_-1');
    expect(e1.message).toMatch(/Client ID or Client Secret/);
    expect(e2.code).toBe('PBX_-1');
    expect(s.seen).toHaveLength(1);
    expectNoSecrets(e1, [SECRET, ID]);
  });

  it('scrubs secrets echoed back by the server', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<html><title>Bad request ${req.url.search} ${SECRET}</title></html>`);
    });
    const e = await caught(() => client(s.url).listExtensions());
    expect(e.code).toBe('PBX_HTML_RESPONSE');
    expectNoSecrets(e, [SECRET]);
  });
});

describe('PbxClient greetings over the wire', () => {
  it('streams the upload with progress and reads ask/force answers', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'render.wav');
    writeFileSync(file, Buffer.alloc(1_000_000, 1));
    const s = await serve(pbx((ep, req, res) => {
      if (ep !== 'extension_vm_greeting/upload') return false;
      const isAsk = req.body.includes(Buffer.from('\r\n\r\nask\r\n'));
      json(res, isAsk ? { errcode: 0, errmsg: 'SUCCESS', owner: '3200', exist_type: 'record' } : { errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
      return true;
    }));
    const c = client(s.url);
    const progress: [number, number][] = [];
    const res = await c.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'vm_away.wav', mode: 'force', onProgress: (a, b) => progress.push([a, b]) });
    expect(res).toEqual({ ext: '3200', fileName: 'vm_away.wav', mode: 'force', bytes: 1_000_000 });
    const up = s.seen.at(-1)!;
    expect(up.url.searchParams.get('access_token')).toMatch(/^ACCESS1/);
    expect(Number(up.headers['content-length'])).toBe(up.body.length);
    expect(up.headers['transfer-encoding']).toBeUndefined();
    expect(up.body.toString('latin1')).toContain('Content-Disposition: form-data; name="file"; filename="vm_away.wav"\r\nContent-Type: audio/wav');
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual([up.body.length, up.body.length]);
    expect(progress.every(([a], i) => i === 0 || a >= progress[i - 1]![0])).toBe(true);

    expect(await c.greetingExists('3200', 'vm_away.wav')).toEqual({ exists: true, existType: 'record' });
    expect(s.seen.at(-1)!.body.length).toBeLessThan(2000); // ask sends a placeholder, not the file again
  });

  it('treats 40003 on ask as "exists" but as an error on force', async () => {
    const s = await serve(pbx((ep, _req, res) => (ep === 'extension_vm_greeting/upload' ? (json(res, { errcode: 40003, errmsg: 'DUPLICATE KEY VALUE' }), true) : false)));
    const c = client(s.url);
    expect(await c.greetingExists('3200', 'a.wav')).toEqual({ exists: true });
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(path.join(t.dir, 'a.wav'), 'x');
    await expect(c.uploadGreetingFile({ ext: '3200', filePath: path.join(t.dir, 'a.wav'), fileName: 'a.wav', mode: 'force' })).rejects.toMatchObject({ code: 'PBX_40003' });
  });

  it('aborts an upload in flight, and a wait for a token, with CancelledError', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'big.wav');
    writeFileSync(file, Buffer.alloc(3_000_000, 2));
    // Answers tokens, never answers the upload.
    const s = await serve(pbx((ep) => ep === 'extension_vm_greeting/upload'));
    const c = client(s.url);
    const ac = new AbortController();
    const p = c.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'big.wav', mode: 'force', signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    expect(await caught(() => p)).toBeInstanceOf(CancelledError);

    // get_token never answered: the abort still wins.
    const hang = await serve(() => undefined);
    const ac2 = new AbortController();
    const p2 = client(hang.url).uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'big.wav', mode: 'force', signal: ac2.signal });
    setTimeout(() => ac2.abort(), 100);
    expect(await caught(() => p2)).toBeInstanceOf(CancelledError);
  });

  it('downloads through download_resource_url to a temp file and renames it', async () => {
    const audio = Buffer.alloc(70_000, 9);
    const s = await serve(pbx((ep, req, res) => {
      if (ep === 'extension_vm_greeting/download') return (json(res, { errcode: 0, errmsg: 'SUCCESS', file: 'a.wav', download_resource_url: '/api/download/PBX-VoicemailGreeting-x.wav' }), true);
      if (req.url.pathname === '/api/download/PBX-VoicemailGreeting-x.wav') {
        if (req.url.searchParams.get('access_token') === null) return (json(res, { errcode: 10004, errmsg: 'TOKEN EXPIRED' }), true);
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': audio.length });
        res.end(audio);
        return true;
      }
      return false;
    }));
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dest = path.join(t.dir, 'out.wav');
    expect(await client(s.url).downloadGreeting('3200', 'a.wav', dest)).toEqual({ bytes: 70_000 });
    expect(readFileSync(dest).equals(audio)).toBe(true);
    expect(readdirSync(t.dir)).toEqual(['out.wav']);
    const e = await caught(() => client(s.url).downloadGreeting('3200', 'a.wav', path.join(t.dir, 'no-such-dir', 'out.wav')));
    expect(e.code).toBe('PBX_DEST_UNWRITABLE');
    expect(e.kind).toBe('input');
  });

  it('leaves no partial file when a download is cancelled', async () => {
    const s = await serve(pbx((ep, req, res) => {
      if (ep === 'extension_vm_greeting/download') return (json(res, { errcode: 0, errmsg: 'SUCCESS', download_resource_url: '/api/download/z.wav' }), true);
      if (req.url.pathname === '/api/download/z.wav') {
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': 1_000_000 });
        res.write(Buffer.alloc(20_000)); // ...and never the rest
        return true;
      }
      return false;
    }));
    const t = tempDir();
    cleanups.push(t.cleanup);
    const ac = new AbortController();
    const p = client(s.url).downloadGreeting('3200', 'a.wav', path.join(t.dir, 'out.wav'), ac.signal);
    setTimeout(() => ac.abort(), 200);
    expect(await caught(() => p)).toBeInstanceOf(CancelledError);
    expect(readdirSync(t.dir)).toEqual([]);
  });

  it('leaves no partial file when the download breaks', async () => {
    const s = await serve(pbx((ep, req, res) => {
      if (ep === 'extension_vm_greeting/download') return (json(res, { errcode: 0, errmsg: 'SUCCESS', download_resource_url: '/api/download/y.wav' }), true);
      if (req.url.pathname === '/api/download/y.wav') {
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': 100_000 });
        res.write(Buffer.alloc(10_000));
        setTimeout(() => res.destroy(), 50);
        return true;
      }
      return false;
    }));
    const t = tempDir();
    cleanups.push(t.cleanup);
    const e = await caught(() => client(s.url).downloadGreeting('3200', 'a.wav', path.join(t.dir, 'out.wav')));
    expect(e.code).toBe('PBX_CONNECTION_RESET');
    expect(readdirSync(t.dir)).toEqual([]);
  });
});

describe('PbxClient transport failures', () => {
  it('reports a refused connection', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const e = await caught(() => client(`http://127.0.0.1:${port}`).listExtensions());
    expect(e.code).toBe('PBX_CONNECTION_REFUSED');
    expect(e.kind).toBe('network');
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  it('reports an unknown host', async () => {
    const e = await caught(() => client('https://nonexistent.invalid:8088').listExtensions());
    expect(e.code).toBe('PBX_HOST_NOT_FOUND');
  });

  it('times out when the PBX does not answer', async () => {
    const s = await serve(() => undefined);
    const t0 = Date.now();
    const e = await caught(() => client(s.url, { timeoutMs: 300 }).listExtensions());
    expect(e.code).toBe('PBX_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reports a 5xx with an HTML body as an HTTP status error', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head></html>');
    });
    const e = await caught(() => client(s.url).listExtensions());
    expect(e.code).toBe('PBX_HTTP_STATUS');
    expect(e.message).toContain('502');
  });

  it('explains http:// against an HTTPS port and https:// against an HTTP port', async () => {
    const cert = await makeCert([{ type: 7, ip: '127.0.0.1' }]);
    const tlsServer = await serve(pbx(), cert);
    const e1 = await caught(() => client(`http://127.0.0.1:${tlsServer.port}`).listExtensions());
    expect(e1.code).toBe('PBX_HTTP_TO_HTTPS_PORT');
    expect(e1.message).toMatch(/https:\/\//);
    const plain = await serve(pbx());
    const e2 = await caught(() => client(`https://127.0.0.1:${plain.port}`).listExtensions());
    expect(e2.code).toBe('PBX_HTTPS_TO_HTTP_PORT');
    expect(plain.seen).toHaveLength(0);
  });
});

describe('PbxClient TLS policy', () => {
  it('rejects a self-signed certificate by default and offers its fingerprint; never sends the secret', async () => {
    const cert = await makeCert([{ type: 7, ip: '127.0.0.1' }]);
    const s = await serve(pbx(), cert);
    const e = await caught(() => client(s.url).listExtensions());
    expect(e.code).toBe('PBX_TLS_UNTRUSTED');
    expect(e.detail?.fingerprint256).toBe(cert.fingerprint256);
    expect(e.message).toContain(cert.fingerprint256);
    expect(s.seen).toHaveLength(0);
  });

  it('trusts a given certificate file, and checks the host name against it', async () => {
    const cert = await makeCert([{ type: 2, value: 'other.example' }]);
    const s = await serve(pbx(), cert);
    const t = tempDir();
    cleanups.push(t.cleanup);
    const caFile = path.join(t.dir, 'pbx.pem');
    writeFileSync(caFile, cert.certPem);
    const e = await caught(() => client(s.url, { tls: { caFile } }).listExtensions());
    expect(e.code, JSON.stringify(e)).toBe('PBX_TLS_HOSTNAME_MISMATCH');
    expect(e.message).toContain('other.example');
    expect(e.detail?.fingerprint256).toBe(cert.fingerprint256);
    expect(s.seen).toHaveLength(0);
    // Pinning accepts it regardless of the name, in any fingerprint spelling.
    const pinned = client(s.url, { tls: { pinSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase() } });
    expect((await pinned.listExtensions()).total).toBe(2);
  });

  it('insecure mode connects and warns loudly with the fingerprint', async () => {
    const cert = await makeCert([{ type: 2, value: 'other.example' }]);
    const s = await serve(pbx(), cert);
    const warnings: string[] = [];
    const c = client(s.url, { tls: { insecure: true }, onWarning: (m) => warnings.push(m) });
    expect(warnings.join('\n')).toMatch(/INSECURE.*verification is OFF/);
    await c.listExtensions();
    await c.listExtensions();
    expect(warnings.filter((w) => w.includes(cert.fingerprint256))).toHaveLength(1);
    expect(existsSync('/nonexistent')).toBe(false);
  });
});
