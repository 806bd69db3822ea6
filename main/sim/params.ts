// Query/body parameter parsing shared by the endpoint handlers; each returns a value or a ready 40002 envelope.
import { z } from 'zod';
import { invalid, type Json } from './envelope.js';
import { SORT_KEYS, type SortKey } from './extensions.js';

export const MAX_PAGE_SIZE = 1000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: Json };

function positiveInt(raw: string | null, field: string, max?: number): Parsed<number | undefined> {
  if (raw === null || raw === '') return { ok: true, value: undefined };
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: invalid(field, raw) };
  const n = Number(trimmed);
  if (n < 1 || (max !== undefined && n > max)) return { ok: false, error: invalid(field, raw) };
  return { ok: true, value: n };
}

export interface Paging { page: number; pageSize: number | undefined }

/** page/page_size as integers or digit strings; omitted page_size = everything. */
export function parsePaging(q: URLSearchParams): Parsed<Paging> {
  const page = positiveInt(q.get('page'), 'page');
  if (!page.ok) return page;
  const size = positiveInt(q.get('page_size'), 'page_size', MAX_PAGE_SIZE);
  if (!size.ok) return size;
  return { ok: true, value: { page: page.value ?? 1, pageSize: size.value } };
}

export function applyPaging<T>(items: T[], p: Paging): T[] {
  if (p.pageSize === undefined) return p.page === 1 ? items : [];
  const start = (p.page - 1) * p.pageSize;
  return items.slice(start, start + p.pageSize);
}

export function parseSort(q: URLSearchParams): Parsed<{ sortBy: SortKey; orderBy: 'asc' | 'desc' }> {
  const sortRaw = q.get('sort_by') ?? '';
  const orderRaw = (q.get('order_by') ?? '').toLowerCase();
  const sortBy = sortRaw === '' ? 'id' : (SORT_KEYS as readonly string[]).includes(sortRaw) ? (sortRaw as SortKey) : undefined;
  if (!sortBy) return { ok: false, error: invalid('sort_by', sortRaw) };
  if (orderRaw !== '' && orderRaw !== 'asc' && orderRaw !== 'desc') return { ok: false, error: invalid('order_by', q.get('order_by') ?? '') };
  return { ok: true, value: { sortBy, orderBy: orderRaw === 'desc' ? 'desc' : 'asc' } };
}

export const GetTokenBody = z.object({ username: z.string().optional(), password: z.string().optional() });
export const RefreshTokenBody = z.object({ refresh_token: z.string().optional() });
