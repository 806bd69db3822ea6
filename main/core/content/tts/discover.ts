// Which engines exist on this machine, found at run time (nothing is bundled or downloaded), in the order the
// platform's own voices come first. `auto` never picks the PBX: that engine needs a connection and speaks on the PBX.
import { ContentError } from '../errors.js';
import type { TtsEngine, TtsEngineId, TtsEngineInfo, TtsProbe } from './engine.js';
import { createEspeakEngine, createFliteEngine, createSapiEngine, createSayEngine, systemDeps, type LocalEngineDeps } from './local.js';

export const LOCAL_ORDER: Readonly<Record<string, readonly TtsEngineId[]>> = {
  darwin: ['macos-say', 'espeak-ng', 'flite'],
  win32: ['windows-sapi', 'espeak-ng'],
  linux: ['espeak-ng', 'flite'],
};

/** The local engines worth probing on `deps.platform`, best first. */
export function localEngines(deps: LocalEngineDeps = systemDeps()): TtsEngine[] {
  const make: Record<Exclude<TtsEngineId, 'pbx'>, () => TtsEngine> = {
    'espeak-ng': () => createEspeakEngine(deps),
    flite: () => createFliteEngine(deps),
    'macos-say': () => createSayEngine(deps),
    'windows-sapi': () => createSapiEngine(deps),
  };
  const order = LOCAL_ORDER[deps.platform] ?? ['espeak-ng', 'flite'];
  return order.map((id) => make[id as Exclude<TtsEngineId, 'pbx'>]());
}

export interface EngineReport extends TtsProbe {
  info: TtsEngineInfo;
}

export async function discoverEngines(engines: readonly TtsEngine[], signal?: AbortSignal): Promise<EngineReport[]> {
  return Promise.all(engines.map(async (e) => ({ ...(await e.probe(signal)), info: e.info })));
}

/** The engine to speak with: `auto` = the first available local one; a named one must be available. */
export async function pickEngine(engines: readonly TtsEngine[], choice: TtsEngineId | 'auto', signal?: AbortSignal): Promise<{ engine: TtsEngine; probe: TtsProbe }> {
  if (choice === 'auto') {
    const tried: string[] = [];
    for (const e of engines) {
      if (e.info.id === 'pbx') continue;
      const p = await e.probe(signal);
      if (p.available) return { engine: e, probe: p };
      tried.push(`${e.info.label}: ${p.reason ?? 'not available'}`);
    }
    throw new ContentError('input', 'TTS_NO_ENGINE', `No text-to-speech engine was found on this computer (${tried.join('; ') || 'none for this platform'}). Install espeak-ng or flite, or use the PBX's own with --engine pbx.`);
  }
  const e = engines.find((x) => x.info.id === choice);
  if (!e) throw new ContentError('input', 'TTS_ENGINE_UNAVAILABLE', `The ${choice} engine is not available here. vmgreet tts --engines lists the engines of this computer.`);
  const p = await e.probe(signal);
  if (!p.available) throw new ContentError('input', 'TTS_ENGINE_UNAVAILABLE', `${e.info.label} cannot be used: ${p.reason ?? 'not available'}`, { detail: { engine: choice } });
  return { engine: e, probe: p };
}
