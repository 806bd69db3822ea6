// Reads the probe facts (container, duration, first audio stream's codec/rate/channels) from the "Input #0" header
// ffmpeg prints at -loglevel info, so the analysis pass doubles as the probe and no separate ffprobe process starts.
// Anything unusual (no audio, unknown channel layout, no header) returns undefined: the caller then runs ffprobe.
import type { AudioProbe } from './probe.js';

const LAYOUT_CHANNELS: Readonly<Record<string, number>> = {
  mono: 1, stereo: 2, '2.1': 3, '3.0': 3, '3.0(back)': 3, '4.0': 4, quad: 4, 'quad(side)': 4, '3.1': 4, '5.0': 5, '5.0(side)': 5,
  '4.1': 5, '5.1': 6, '5.1(side)': 6, '6.0': 6, '6.1': 7, '7.0': 7, '7.1': 8, '7.1(wide)': 8, downmix: 2,
};

export type InputHeader = Omit<AudioProbe, 'sizeBytes' | 'durationDecoded'>;

/** Line-by-line parser; `done` is true once the header is complete (mapping or output section reached). */
export function createInputHeaderParser(): { line(l: string): boolean; result(): InputHeader | undefined; readonly done: boolean } {
  let inInput = false;
  let done = false;
  let container: string | undefined;
  let durationSec = 0;
  let audio: { codec: string; sampleRate: number; channels: number } | undefined;
  let audioUnparsed = false;
  let hasVideo = false;
  return {
    get done() { return done; },
    line(l) {
      if (done) return false;
      const input = /^Input #0, (.+?), from /.exec(l);
      if (input) { inInput = true; container = input[1]; return true; }
      if (!inInput) return false;
      if (/^(Stream mapping:|Output #|Input #1)/.test(l)) { done = true; return true; }
      const d = /^\s+Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N\/A)/.exec(l);
      if (d) {
        if (d[1] !== undefined) durationSec = Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]);
        return true;
      }
      const s = /^\s+Stream #0:\d+.*?: (Audio|Video): (.*)$/.exec(l);
      if (!s) return true;
      const rest = s[2] ?? '';
      if (s[1] === 'Video') { if (!/\(attached pic\)/.test(rest)) hasVideo = true; return true; }
      if (audio || audioUnparsed) return true;
      // "opus, 48000 Hz, mono, fltp" / "pcm_s16le ([1][0][0][0] / 0x0001), 48000 Hz, 2 channels, s16, 1536 kb/s"
      const m = /^([\w-]+)[^,]*, (\d+) Hz, ([^,]+),/.exec(rest);
      const layout = m?.[3]?.trim() ?? '';
      const channels = /^(\d+) channels$/.exec(layout) ? Number(layout.split(' ')[0]) : LAYOUT_CHANNELS[layout];
      if (m?.[1] && m[2] && channels) audio = { codec: m[1], sampleRate: Number(m[2]), channels };
      else audioUnparsed = true;
      return true;
    },
    result() {
      if (!done || !audio || !container) return undefined;
      return { durationSec, codec: audio.codec, sampleRate: audio.sampleRate, channels: audio.channels, container, hasVideo };
    },
  };
}
