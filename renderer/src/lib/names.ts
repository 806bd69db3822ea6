// The greeting name an imported file suggests, made safe by the rules of main/ipc/names.ts (the pattern of main/core/domain.ts) (letters, digits,
// "-" and "_", at most MAX_GREETING_NAME characters).
import { MAX_GREETING_NAME, greetingNameProblem } from '../../../main/ipc/names.js';

export function greetingNameFromFile(fileName: string, fallback = 'greeting'): string {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  const safe = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_GREETING_NAME)
    .replace(/[_-]+$/, '');
  return greetingNameProblem(safe) === null ? safe : fallback;
}
