// The shape of ffprobe's JSON answer (loaded only when ffprobe runs: the decode pass reads the common case from
// ffmpeg's own input header).
import { z } from 'zod';

const numeric = z.union([z.string(), z.number()]).optional().transform((v) => {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number.parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
});

const streamSchema = z.object({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  sample_rate: numeric,
  channels: z.number().optional(),
  duration: numeric,
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
});

export const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({ format_name: z.string().optional(), duration: numeric, size: numeric }).optional(),
});
