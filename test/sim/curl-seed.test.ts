// The seed's own request, sent exactly as the vendor example does it with `curl -F`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { getToken } from './helpers.js';
import { pcm16MonoWav } from '../../main/core/wav.js';

const run = promisify(execFile);

/** One second of a 440 Hz tone, 8 kHz mono 16-bit PCM WAV, generated here (no binary fixtures). */
function toneWav(): Buffer {
  return pcm16MonoWav(Array.from({ length: 8000 }, (_, i) => 8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
}

async function curlUpload(sim: Simulator, token: string, file: string, isCheck: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const url = `${sim.url}/openapi/v1.0/extension_vm_greeting/upload?access_token=${token}`;
  const { stdout } = await run('curl', ['-sS', '--max-time', '20', ...extra, '-H', 'User-Agent: OpenAPI',
    '-F', `file=@${file};filename=/D:/greeting/vm_away.wav;type=audio/wav`, '-F', 'owner=3200', '-F', `is_check=${isCheck}`, url]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('seed example via curl -F', () => {
  let dir: string;
  let wavPath: string;
  const wav = toneWav();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmgs-sim-curl-'));
    wavPath = join(dir, 'greeting.wav');
    await writeFile(wavPath, wav);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const mode of ['exist_type', '40003'] as const) {
    it(`ask, force, ask again over HTTP (ask-duplicate mode ${mode})`, async () => {
      const sim = await startSimulator({ askDuplicateMode: mode });
      try {
        const { access } = await getToken(sim);
        expect(await curlUpload(sim, access, wavPath, 'ask')).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
        expect(sim.greetings('3200')).toEqual([]);
        expect(await curlUpload(sim, access, wavPath, 'force')).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
        const stored = sim.greetings('3200');
        expect(stored.map((g) => [g.real_filename, g.file, g.suffix, g.type])).toEqual([['vm_away.wav', 'vm_away.wav', '.wav', 'record']]);
        expect(stored[0]?.bytes.equals(wav)).toBe(true);
        const again = await curlUpload(sim, access, wavPath, 'ask');
        if (mode === 'exist_type') expect(again).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200', exist_type: 'record' });
        else expect(again).toEqual({ errcode: 40003, errmsg: 'DUPLICATE KEY VALUE', owner: '3200' });
        const log = sim.requestLog().filter((e) => e.path.endsWith('/upload'));
        expect(log.every((e) => e.userAgent === 'OpenAPI' && e.query.access_token === '***')).toBe(true);
      } finally {
        await sim.close();
      }
    });
  }

  it('takes a 7.9 MB upload from curl (Expect: 100-continue) and refuses 8.4 MB with 40004', async () => {
    const sim = await startSimulator({ sizeLimitBytes: 8_000_000 });
    try {
      const { access } = await getToken(sim);
      const big = join(dir, 'big.wav');
      const body = Buffer.alloc(7_900_000, 3);
      wav.copy(body, 0, 0, 44);
      await writeFile(big, body);
      expect(await curlUpload(sim, access, big, 'force')).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
      expect(sim.greetings('3200')[0]?.bytes.length).toBe(7_900_000);
      await writeFile(big, Buffer.alloc(8_400_000, 3));
      expect(await curlUpload(sim, access, big, 'force')).toEqual({ errcode: 40004, errmsg: 'FILE SIZE EXCEEDED', owner: '3200' });
      expect(sim.greetings('3200')[0]?.bytes.length).toBe(7_900_000);
    } finally {
      await sim.close();
    }
  });

  it('works over HTTPS with the certificate as CA', async () => {
    const sim = await startSimulator({ https: true });
    try {
      const ca = join(dir, 'sim-ca.pem');
      await writeFile(ca, sim.certPem as string);
      const { access } = await getToken(sim);
      expect((await curlUpload(sim, access, wavPath, 'force', ['--cacert', ca])).errcode).toBe(0);
      expect(sim.greetings('3200').map((g) => g.real_filename)).toEqual(['vm_away.wav']);
    } finally {
      await sim.close();
    }
  });
});
