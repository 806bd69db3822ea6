// Wires the IPC handlers' ports to the real core (audio engine, PBX client, simulator). Used by the Electron shell
// and by the e2e test bridge, so both run the same code; only profiles, dialogs and link opening differ.
import { analyseAudio, getEncoderCapabilities, greetingFileName, keepWindow, planFormat, probeAudio, renderGreeting, type AudioAnalysis, type AudioProbe } from '../core/audio/index.js';
import { PbxClient, uploadWithPolicy, type PbxTlsOptions } from '../core/pbx/index.js';
import { startSimulator, type SimulatorOptions } from '../sim/index.js';
import type { TlsOption } from './channels.js';
import type { AppServices, DialogsPort, ProfileStorePort } from './services.js';

export interface CoreServicesOptions {
  /** Persistent folder for sources and recorded takes. */
  dataDir: string;
  profiles: ProfileStorePort;
  dialogs: DialogsPort;
  openExternal(url: string): Promise<void>;
  /** Options of the demo simulator ("Try the demo PBX"); default: HTTPS with a pinned certificate, 250 extensions. */
  demo?: SimulatorOptions;
  maxRecordingSec?: number;
  userAgent?: string;
}

export function tlsOptionsFor(tls: TlsOption): PbxTlsOptions | undefined {
  if (tls.mode === 'pin') return { pinSha256: tls.pinSha256 };
  if (tls.mode === 'ca') return { caPem: tls.caPem };
  return undefined;
}

const ANALYSIS_CACHE_SIZE = 16;

export function createCoreServices(opts: CoreServicesOptions): AppServices<PbxClient> {
  // Probes and analyses by file path (workspace files never change once written): a recorded webm has no duration
  // header, so each probe decodes it; the analysis is reused by the first caller preview.
  const analyses = new Map<string, AudioAnalysis>();
  const probes = new Map<string, AudioProbe>();
  const remember = <V>(cache: Map<string, V>, p: string, v: V): void => {
    cache.delete(p);
    cache.set(p, v);
    while (cache.size > ANALYSIS_CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
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
        onWarning: () => undefined,
      });
    },
    uploadWithPolicy: (client, o) => uploadWithPolicy(client, o),
    audio: {
      async probe(p, o) {
        const probe = await probeAudio(p, o);
        remember(probes, p, probe);
        return probe;
      },
      async analyse(p, o) {
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
      render(o, ctl) {
        const cached = o.startSec === undefined && o.endSec === undefined ? analyses.get(o.inputPath) : undefined;
        return renderGreeting(cached ? { ...o, analysis: cached } : o, ctl);
      },
      async planFormat(durationSec, choice) {
        return planFormat(durationSec, choice, await getEncoderCapabilities());
      },
      async capabilities() {
        return { formats: [...(await getEncoderCapabilities()).formats] };
      },
      greetingFileName,
    },
    async startDemoPbx() {
      const sim = await startSimulator({ https: true, extensions: 250, ...opts.demo });
      return {
        url: sim.url,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        ...(sim.fingerprint256 ? { fingerprint256: sim.fingerprint256 } : {}),
        close: () => sim.close(),
      };
    },
    dialogs: opts.dialogs,
    openExternal: opts.openExternal,
    dataDir: opts.dataDir,
    ...(opts.maxRecordingSec !== undefined ? { maxRecordingSec: opts.maxRecordingSec } : {}),
  };
}
