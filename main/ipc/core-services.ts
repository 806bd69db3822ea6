// Wires the IPC handlers' ports to the real core (audio engine, PBX client, simulator). Used by the Electron shell
// and by the e2e test bridge, so both run the same code; only profiles, dialogs and link opening differ.
import {
  analyseAudio, getEncoderCapabilities, greetingFileName, keepWindow, planFormat, probeAndAnalyse, probeAudio, renderGreeting, resolveFfmpeg, startLiveDecode,
  warmUpFfmpeg, PRESETS, type AudioAnalysis, type AudioProbe, type GreetingFormat, type RenderResult,
} from '../core/audio/index.js';
import { copyFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PbxClient, type PbxTlsOptions } from '../core/pbx/index.js';
import type { TlsOption } from './channels.js';
import type { AppServices, AudioPort, DemoPbx, DialogsPort, ProfileStorePort } from './services.js';
import type { LiveAudioPort } from './workspace.js';

export interface CoreServicesOptions {
  /** The data folder shared with the CLI (drafts, queue, history, directory cache). */
  dataDir: string;
  profiles: ProfileStorePort;
  dialogs: DialogsPort;
  openExternal(url: string): Promise<void>;
  /** What "Try the demo PBX" starts (the composition root wires the simulator; main/ipc never imports main/sim). */
  startDemoPbx(): Promise<DemoPbx>;
  maxRecordingSec?: number;
  userAgent?: string;
}

export function tlsOptionsFor(tls: TlsOption): PbxTlsOptions | undefined {
  if (tls.mode === 'pin') return { pinSha256: tls.pinSha256 };
  if (tls.mode === 'ca') return { caPem: tls.caPem };
  return undefined;
}

const ANALYSIS_CACHE_SIZE = 16;
const SPECULATIVE_KEPT = 4;
/** Files up to this long are analysed together with the probe (one decode of a 10-minute take is ~1 s). */
const EAGER_ANALYSIS_MAX_SEC = 600;

/** Moves a file (copy + delete across file systems); false when it is gone. */
async function moveFile(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch {
    try {
      await copyFile(from, to);
      await rm(from, { force: true });
      return true;
    } catch {
      return false;
    }
  }
}

export function createCoreServices(opts: CoreServicesOptions): AppServices<PbxClient> {
  // Resolve ffmpeg and list its encoders now, so the first recording or preview does not pay for it.
  void warmUpFfmpeg();
  // Probes and analyses by file path (workspace files never change once written): a recorded webm has no duration
  // header, so each probe decodes it; the analysis is reused by the first caller preview. A take decoded while it
  // was recorded brings its probe and analysis along, and its previews render from the decoded PCM copy.
  const analyses = new Map<string, AudioAnalysis>();
  const probes = new Map<string, AudioProbe>();
  const decoded = new Map<string, { pcmPath: string; pcmProbe: AudioProbe }>();
  // The preview a fresh take is almost always heard with first ("Hear as caller": whole take, silence trimmed,
  // normalised, automatic format) is rendered as soon as the take is decoded, while the window asks for the
  // analysis; the matching request then only moves the file. Keyed by source path; used once.
  const speculative = new Map<string, { format: GreetingFormat; result: Promise<RenderResult | undefined> }>();
  const startSpeculativeRender = async (sourcePath: string, pcmPath: string, pcmProbe: AudioProbe, analysis: AudioAnalysis): Promise<void> => {
    if (!analysis.speechFound) return;
    const w = keepWindow({ rangeStart: 0, rangeEnd: analysis.durationSec, analysis, trimSilence: true });
    const format = planFormat(w.keepEnd - w.keepStart, 'auto', await getEncoderCapabilities()).format;
    const outputPath = path.join(path.dirname(sourcePath), `preview-auto${PRESETS[format].extension}`);
    const result = renderGreeting({ inputPath: pcmPath, outputPath, format, trimSilence: true, normalize: true, analysis, probe: pcmProbe })
      .catch(() => undefined);
    speculative.set(sourcePath, { format, result });
    for (const [key, old] of speculative) {
      if (speculative.size <= SPECULATIVE_KEPT) break;
      speculative.delete(key);
      void old.result.then((r) => r && rm(r.outputPath, { force: true })).catch(() => undefined);
    }
  };
  const remember = <V>(cache: Map<string, V>, p: string, v: V): void => {
    cache.delete(p);
    cache.set(p, v);
    while (cache.size > ANALYSIS_CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  };
  const audio: AudioPort & LiveAudioPort = {
    async probe(p, o) {
      // One ffmpeg pass gives the probe facts and the analysis the window asks for next (a recorded webm has no
      // duration header, so probing it alone would decode it anyway). Long files are only probed here; any failure
      // goes the ordinary way, so imports fail and succeed exactly as before.
      const long = new Error('long');
      try {
        const r = await probeAndAnalyse(p, { signal: o.signal, checkProbe: (x) => { if (x.durationSec > EAGER_ANALYSIS_MAX_SEC) throw long; } });
        remember(probes, p, r.probe);
        remember(analyses, p, r.analysis);
        return r.probe;
      } catch (e) {
        if (o.signal?.aborted) throw e;
      }
      const probe = await probeAudio(p, o);
      remember(probes, p, probe);
      return probe;
    },
    async analyse(p, o) {
      const known = analyses.get(p);
      if (known) {
        o.onProgress?.({ percent: 100, stage: 'analyse' });
        return known;
      }
      const probe = probes.get(p);
      const a = await analyseAudio(p, probe ? { ...o, probe } : o);
      remember(analyses, p, a);
      return a;
    },
    suggestTrim(p) {
      const a = analyses.get(p);
      if (!a) return undefined;
      const w = keepWindow({ rangeStart: 0, rangeEnd: a.durationSec, analysis: a, trimSilence: true });
      return { startSec: w.keepStart, endSec: w.keepEnd };
    },
    async render(o, ctl) {
      const whole = o.startSec === undefined && o.endSec === undefined;
      const spec = speculative.get(o.inputPath);
      if (spec && whole && o.trimSilence === true && o.normalize === true && o.format === spec.format && !o.denoise && !o.level) {
        speculative.delete(o.inputPath);
        const r = await spec.result;
        if (r && !ctl.signal?.aborted && (await moveFile(r.outputPath, o.outputPath))) {
          ctl.onProgress?.({ percent: 100, stage: 'done' });
          return { ...r, outputPath: o.outputPath };
        }
      }
      const cached = whole ? analyses.get(o.inputPath) : undefined;
      const pcm = decoded.get(o.inputPath);
      const probe = pcm ? pcm.pcmProbe : probes.get(o.inputPath);
      return renderGreeting({
        ...o,
        ...(pcm ? { inputPath: pcm.pcmPath } : {}),
        ...(probe ? { probe } : {}),
        ...(cached ? { analysis: cached } : {}),
      }, ctl);
    },
    async planFormat(durationSec, choice) {
      return planFormat(durationSec, choice, await getEncoderCapabilities());
    },
    async capabilities() {
      return { formats: [...(await getEncoderCapabilities()).formats] };
    },
    greetingFileName,
    async startLiveDecode(pcmPath) {
      const dec = startLiveDecode(await resolveFfmpeg(), pcmPath);
      return {
        write: (chunk) => dec.write(chunk),
        abort: () => dec.abort(),
        async finish() {
          const r = await dec.finish();
          if (!r) return undefined;
          return {
            probe: r.probe,
            pcmPath: r.pcmPath,
            commit(sourcePath, pcmPath, sizeBytes) {
              remember(probes, sourcePath, { ...r.probe, sizeBytes });
              remember(analyses, sourcePath, r.analysis);
              const pcmProbe = { ...r.pcmProbe, sizeBytes: 0 };
              remember(decoded, sourcePath, { pcmPath, pcmProbe });
              void startSpeculativeRender(sourcePath, pcmPath, pcmProbe, r.analysis).catch(() => undefined);
            },
          };
        },
      };
    },
  };
  return {
    profiles: opts.profiles,
    createPbxClient(config) {
      const tls = tlsOptionsFor(config.tls);
      return new PbxClient({
        baseUrl: config.baseUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        ...(tls ? { tls } : {}),
        ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
        // The Connect screen shows these (plain HTTP: the secret travels unencrypted); elsewhere they are not needed.
        onWarning: config.onWarning ?? (() => undefined),
      });
    },
    audio,
    startDemoPbx: () => opts.startDemoPbx(),
    dialogs: opts.dialogs,
    openExternal: opts.openExternal,
    dataDir: opts.dataDir,
    ...(opts.maxRecordingSec !== undefined ? { maxRecordingSec: opts.maxRecordingSec } : {}),
  };
}
