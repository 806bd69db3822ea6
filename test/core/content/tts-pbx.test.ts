// The PBX's own text-to-speech through PbxClient against the simulator: probe, pending → complete, download, the
// temporary greeting removed, the same render; "not supported" (10001) said in words; a PBX that never completes.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentError, createPbxEngine, parsePbxVoice, pbxSpeed, pickEngine, speakToFile } from '../../../main/core/content/index.js';
import { PbxInputError } from '../../../main/core/pbx/index.js';
import { makeTempDir, measure } from '../../helpers/audio-fixtures.js';
import { simHarness } from '../pbx/sim-helpers.js';

const h = simHarness();
let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('vmgs-pbx-tts-');
});
afterAll(async () => tmp.cleanup());

describe('PBX text-to-speech engine', () => {
  it('probes without creating anything, speaks via the PBX and leaves its greeting list as it was', async () => {
    const sim = await h.sim('https', { extensions: 5, ttsCompleteAfterMs: 400 });
    const client = h.client(sim);
    const engine = createPbxEngine(client, { pollMs: 50 });
    expect(await engine.probe()).toMatchObject({ id: 'pbx', available: true, program: sim.url, reason: null });
    expect(sim.ttsRequests()).toEqual([]);

    sim.seedGreeting('3201', 'keep.wav', Buffer.from('RIFF'));
    const out = path.join(tmp.dir, 'pbx.wav');
    const { speech, render } = await speakToFile({ engine, text: 'Thank you for calling. Please leave a message after the tone.', outputPath: out, ext: '3201', voice: 'azure:en-US-JennyNeural', ratePercent: 120 });
    expect(speech).toMatchObject({ engine: 'pbx', voice: 'azure:en-US-JennyNeural', warnings: [] });
    const [req] = sim.ttsRequests();
    expect(req).toMatchObject({ number: '3201', text: 'Thank you for calling. Please leave a message after the tone.', asr_manufacturer: 'azure', voice_id: 'en-US-JennyNeural', speed: 60, status: 'complete', language: 'en-US' });
    expect(req?.file).toMatch(/^vmgs_tts_[0-9a-f]{10}$/);
    // Polled while pending: more than one list call before the greeting appeared.
    expect(sim.requestLog().filter((e) => e.path.endsWith('extension_vm_greeting/list')).length).toBeGreaterThan(1);
    expect(sim.greetings('3201').map((g) => g.real_filename)).toEqual(['keep.wav']);
    const m = await measure(out);
    expect(m).toMatchObject({ sampleRate: 8000, channels: 1, codec: 'pcm_s16le' });
    expect(Math.abs(m.integratedLufs - -20)).toBeLessThanOrEqual(1);
    expect(render.durationSec).toBeGreaterThan(2);
  });

  it('says plainly when the PBX has no text-to-speech (10001), and pickEngine refuses it', async () => {
    const sim = await h.sim('http', { extensions: 2, ttsSupported: false });
    const engine = createPbxEngine(h.client(sim));
    const p = await engine.probe();
    expect(p.available).toBe(false);
    expect(p.reason).toBe('This PBX does not support text-to-speech greetings (extension_vm_greeting/create answered 10001 INTERFACE NOT EXISTED).');
    const err = await pickEngine([engine], 'pbx').catch((e: unknown) => e as ContentError);
    expect(err).toMatchObject({ code: 'TTS_ENGINE_UNAVAILABLE' });
    expect((err as ContentError).message).toContain('does not support text-to-speech');
  });

  it('reports a denied API app (10005) as not usable, with what to change', async () => {
    const sim = await h.sim('http', { extensions: 2, deniedEndpoints: ['extension_vm_greeting/create'] });
    const p = await createPbxEngine(h.client(sim)).probe();
    expect(p).toMatchObject({ available: false, reason: expect.stringContaining('errcode 10005') });
  });

  it('gives up after its timeout and names the greeting the PBX may still add', async () => {
    const sim = await h.sim('http', { extensions: 2, ttsCompleteAfterMs: 60_000 });
    const engine = createPbxEngine(h.client(sim), { pollMs: 20, timeoutMs: 200 });
    const err = await engine.synthesize({ text: 'Hello.', dir: tmp.dir, ext: '3200' }).catch((e: unknown) => e as ContentError);
    expect(err).toMatchObject({ code: 'TTS_PBX_TIMEOUT' });
    expect((err as ContentError).message).toMatch(/did not finish speaking within 0\.2 s .*pending.*"vmgs_tts_[0-9a-f]+" to extension 3200/);
  });

  it('checks its inputs before asking the PBX', async () => {
    const sim = await h.sim('http', { extensions: 2 });
    const client = h.client(sim);
    const engine = createPbxEngine(client);
    await expect(engine.synthesize({ text: 'Hi', dir: tmp.dir })).rejects.toMatchObject({ code: 'TTS_PBX_NEEDS_EXTENSION' });
    await expect(engine.synthesize({ text: 'x'.repeat(1001), dir: tmp.dir, ext: '3200' })).rejects.toMatchObject({ code: 'TTS_TEXT_TOO_LONG' });
    await expect(engine.synthesize({ text: 'Hi', dir: tmp.dir, ext: '3200', voice: 'google:x' })).rejects.toMatchObject({ code: 'TTS_BAD_VOICE' });
    await expect(client.createTtsGreeting({ ext: '3200', file: 'a b', text: 'x', language: 'en-US', provider: 'aws', voiceId: 'Joanna' })).rejects.toBeInstanceOf(PbxInputError);
    await expect(client.createTtsGreeting({ ext: '3200', file: 'ok', text: 'x', language: 'en-US', provider: 'aws', voiceId: 'Joanna', speed: 0 })).rejects.toBeInstanceOf(PbxInputError);
    expect(sim.ttsRequests()).toEqual([]);
    expect(parsePbxVoice('Joanna')).toEqual({ provider: 'aws', voiceId: 'Joanna' });
    expect([pbxSpeed(50), pbxSpeed(100), pbxSpeed(200)]).toEqual([25, 50, 100]);
  });
});
