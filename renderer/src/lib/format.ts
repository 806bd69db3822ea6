// Small display helpers.
/**
 * The one duration formatter of the UI: tenths of a second under a minute ("0:02.4"), whole seconds from a minute
 * ("8:20", "1:02:03"). Short takes differ by fractions of a second (trim, lead-in), so whole seconds would make
 * "Recorded", "Selection", "Caller preview" and the budget line disagree.
 */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–:––';
  const tenths = Math.round(sec * 10);
  if (tenths < 600) return `0:${String(Math.floor(tenths / 10)).padStart(2, '0')}.${tenths % 10}`;
  const total = Math.round(sec);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "wav: 0:42.0 of 8:20 max" — the 8 MB budget shown before encoding. */
export function budgetLine(format: string, selectedSec: number, maxSec: number): string {
  return `${format}: ${formatDuration(selectedSec)} of ${formatDuration(maxSec)} max`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export const FORMAT_LABELS: Record<string, string> = {
  auto: 'Automatic (best that fits 8 MB)',
  wav: 'WAV – PCM 16-bit 8 kHz',
  'wav-ulaw': 'WAV – G.711 µ-law',
  'wav-alaw': 'WAV – G.711 A-law',
  mp3: 'MP3',
  gsm: 'GSM 06.10',
};

export function presenceLabel(p: string): string {
  const map: Record<string, string> = {
    available: 'Available', away: 'Away', business_trip: 'Business trip', do_not_disturb: 'Do not disturb', lunch: 'Lunch', off_work: 'Off work',
  };
  return map[p] ?? (p || 'Unknown');
}

/** Short format names for tables. */
export const FORMAT_SHORT: Record<string, string> = {
  wav: 'WAV PCM',
  'wav-ulaw': 'WAV µ-law',
  'wav-alaw': 'WAV A-law',
  mp3: 'MP3',
  gsm: 'GSM',
};
