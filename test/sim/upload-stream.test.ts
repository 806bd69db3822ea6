import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { getToken } from './helpers.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
const audio = (n: number, fill = 7): Buffer => Buffer.alloc(n, fill);

it('streams a huge upload: answers 40004 after draining it without buffering it', async () => {
  const s = await startSimulator({ extensions: 5, sizeLimitBytes: 8_000_000 });
  sim = s;
  const token = (await getToken(s)).access;
  const boundary = 'XBOUNDARY';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="owner"\r\n\r\n3200\r\n--${boundary}\r\nContent-Disposition: form-data; name="is_check"\r\n\r\nforce\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = audio(1024 * 1024, 0x55);
  const totalMiB = 128;
  // Client and server share this process: if the server buffered the body, external memory would reach 128 MiB.
  let peakExternal = 0;
  const sampler = setInterval(() => {
    peakExternal = Math.max(peakExternal, process.memoryUsage().arrayBuffers);
  }, 2);
  try {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${s.url}/openapi/v1.0/extension_vm_greeting/upload?access_token=${token}`, {
        method: 'POST',
        agent: false,
        headers: { 'User-Agent': 'OpenAPI', 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + totalMiB * chunk.length + tail.length) },
      }, (r) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < totalMiB) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end(tail);
      };
      req.write(head);
      pump();
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ errcode: 40004, errmsg: 'FILE SIZE EXCEEDED', owner: '3200' });
  } finally {
    clearInterval(sampler);
  }
  expect(s.greetings('3200')).toEqual([]);
  console.log(`128 MiB oversize upload: peak external memory ${(peakExternal / 1048576).toFixed(1)} MiB`);
  expect(peakExternal).toBeLessThan(64 * 1024 * 1024);
});


it('a client hanging up mid-upload stores nothing and the handler finishes', async () => {
  const s = await startSimulator({ extensions: 5 });
  sim = s;
  const token = (await getToken(s)).access;
  const boundary = 'XB';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="owner"\r\n\r\n3200\r\n--${boundary}\r\nContent-Disposition: form-data; name="is_check"\r\n\r\nforce\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
  await new Promise<void>((resolve) => {
    const req = http.request(`${s.url}/openapi/v1.0/extension_vm_greeting/upload?access_token=${token}`, {
      method: 'POST',
      agent: false,
      headers: { 'User-Agent': 'OpenAPI', 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + 5_000_000) },
    });
    req.on('error', () => resolve());
    req.write(head);
    req.write(audio(1_000_000), () => setTimeout(() => req.destroy(), 50));
  });
  let entry;
  for (let i = 0; i < 100 && !entry; i++) {
    entry = s.requestLog().find((e) => e.path.endsWith('/upload'));
    if (!entry) await new Promise((r) => setTimeout(r, 20));
  }
  expect(entry?.errcode).toBe(40002);
  expect(s.greetings('3200')).toEqual([]);
  expect((await getToken(s)).access).toMatch(/^[A-Za-z0-9]{32}$/);
});
