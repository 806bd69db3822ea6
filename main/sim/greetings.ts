// Per-extension greeting store: extension number -> greetings; ids are global and increasing.
import type { GreetingRecord } from './types.js';
import { pcm16MonoWav } from '../core/wav.js';

export const ALLOWED_SUFFIXES = ['wav', 'mp3', 'gsm'] as const;

/** The greeting name the PBX keeps: everything after the last '/' or '\' of the multipart filename. */
export function greetingBasename(filename: string): string {
  const cut = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  return filename.slice(cut + 1);
}

/** '.wav' for 'vm_away.wav' (case preserved), '' when there is no usable suffix. */
export function suffixOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

export function hasAllowedSuffix(name: string): boolean {
  const s = suffixOf(name).slice(1).toLowerCase();
  return (ALLOWED_SUFFIXES as readonly string[]).includes(s);
}

export class GreetingStore {
  private nextId = 1;
  private readonly byExt = new Map<string, GreetingRecord[]>();

  list(ext: string): GreetingRecord[] {
    return this.byExt.get(ext) ?? [];
  }

  /** Newest first (higher ids first, as in the vendor examples). */
  newestFirst(ext: string): GreetingRecord[] {
    return [...this.list(ext)].sort((a, b) => b.id - a.id);
  }

  find(ext: string, realFilename: string): GreetingRecord | undefined {
    return this.list(ext).find((g) => g.real_filename === realFilename);
  }

  /**
   * Create, or replace the content of a same-named greeting in place (keeping its id). `listedFile` is the `file`
   * the list shows: the name itself for uploads, the name without suffix for recorded-by-phone and TTS items.
   */
  put(ext: string, name: string, bytes: Buffer, type: 'record' | 'tts' = 'record', listedFile: string = name): { record: GreetingRecord; replaced: boolean } {
    const existing = this.find(ext, name);
    if (existing) {
      existing.bytes = bytes;
      existing.type = type;
      return { record: existing, replaced: true };
    }
    const record: GreetingRecord = { id: this.nextId++, number: ext, file: listedFile, real_filename: name, suffix: suffixOf(name), type, bytes };
    const list = this.byExt.get(ext) ?? [];
    list.push(record);
    this.byExt.set(ext, list);
    return { record, replaced: false };
  }

  byId(ext: string, id: number): GreetingRecord | undefined {
    return this.list(ext).find((g) => g.id === id);
  }

  /** Renames in place (same id, same bytes): `base` has no suffix; the greeting keeps its own. */
  rename(g: GreetingRecord, base: string): void {
    const real = `${base}${g.suffix}`;
    g.file = g.file === g.real_filename ? real : base;
    g.real_filename = real;
  }

  remove(ext: string, realFilename: string): boolean {
    const list = this.byExt.get(ext);
    if (!list) return false;
    const i = list.findIndex((g) => g.real_filename === realFilename);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }
}

/** A tiny valid 8 kHz mono 16-bit PCM WAV of silence (used when "record by phone" materialises a greeting). */
export function silentWav(durationMs = 500): Buffer {
  return pcm16MonoWav(Math.round((8000 * durationMs) / 1000));
}
