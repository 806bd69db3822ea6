// Safe greeting file names for the PBX: only [A-Za-z0-9_-] plus the extension. Derived from the name a person
// chose (never from the input path, which may hold anything).
import { extensionFor, type GreetingFormat } from './formats.js';

const SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', þ: 'th', Þ: 'Th', ð: 'd', Ð: 'D', ı: 'i',
};
const MAX_BASE_LENGTH = 64;
const AUDIO_EXT = /\.(wav|mp3|gsm|ogg|oga|opus|webm|m4a|aac|flac|wma|mp4|mkv|mov)$/i;

export function safeBaseName(userName: string, fallback = 'greeting'): string {
  const withoutDirs = userName.split(/[\\/]/).pop() ?? '';
  const withoutExt = withoutDirs.trim().replace(AUDIO_EXT, '');
  const latin = Array.from(withoutExt.normalize('NFKD'))
    .map((ch) => SPECIAL[ch] ?? ch)
    .join('')
    .replace(/\p{M}+/gu, ''); // combining accents left by NFKD: é → e
  const base = latin
    .replace(/[\s.]+/g, '_')
    .replace(/[^A-Za-z0-9_-]+/g, '')
    .replace(/_{2,}/g, '_')
    .replace(/-{2,}/g, '-')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/[_-]+$/g, '');
  return base.length > 0 ? base : fallback;
}

/** `greetingFileName('Müller – Büro', 'wav')` → `Muller_Buro.wav` */
export function greetingFileName(userName: string, format: GreetingFormat): string {
  return safeBaseName(userName) + extensionFor(format);
}
