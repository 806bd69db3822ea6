// The speech corpus the audio tests share, generated at test time from one espeak-ng take: the take itself, a
// 48 kHz stereo copy with 3.2 s of silence in front and 4 s behind, a quiet noisy copy, a clipped copy, a webm/opus
// without a duration (as MediaRecorder writes it) and an mp4 with a video track.
import path from 'node:path';
import { clippedCopy, derive, espeak, mp4WithAudio, webmWithoutDuration } from '../../helpers/audio-fixtures.js';

export interface Corpus { speech: string; padded: string; quiet: string; clipped: string; webm: string; mp4: string }

/** `paddedName` names the padded copy (the render tests give it a path with spaces, quotes and unicode). */
export async function buildCorpus(dir: string, paddedName = 'padded.wav'): Promise<Corpus> {
  const speech = await espeak(path.join(dir, 'speech.wav'));
  const [padded, quiet, clipped, webm, mp4] = await Promise.all([
    derive(speech, path.join(dir, paddedName), { leadSilenceSec: 3.2, trailSilenceSec: 4, sampleRate: 48000, channels: 2 }),
    derive(speech, path.join(dir, 'quiet.wav'), { gainDb: -30, leadSilenceSec: 2, noiseDb: -80 }),
    clippedCopy(speech, path.join(dir, 'clipped.wav')),
    webmWithoutDuration(speech, path.join(dir, 'rec.webm')),
    mp4WithAudio(speech, path.join(dir, 'clip.mp4')),
  ]);
  return { speech, padded, quiet, clipped, webm, mp4 };
}
