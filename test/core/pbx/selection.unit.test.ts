// Pure parts of greeting selection (parse, support levels, update bodies, value forms) and the verify-by-reading
// path against a fake PBX that accepts an update but does not apply it.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  SelectionNotTakenError,
  buildUpdateBody,
  chooseGreeting,
  parseSelection,
  type PresenceApi,
} from '../../../main/core/pbx/index.js';
import { candidateValues, learntForm, slotsUsing } from '../../../main/core/pbx/selection.js';
import type { Greeting } from '../../../main/core/domain.js';

const item = (status: string, vm_greeting?: string, extra: Record<string, unknown> = {}) => ({ status, information: 'x', ring_timeout: 25, ...extra, ...(vm_greeting !== undefined ? { vm_greeting } : {}) });
const sixItems = (lunch = 'lunch') => ['available', 'away', 'do_not_disturb', lunch, 'business_trip', 'off_work'].map((s) => item(s, ''));
const g = (id: number, file: string, realFilename: string): Greeting => ({ id, file, realFilename, suffix: '.wav', type: 'record' });

describe('parseSelection', () => {
  it('full support reads lunch under either spelling and keeps each spelling', () => {
    const r = parseSelection('3200', { id: '7', vm_greeting: 'follow_system', presence_list: sixItems('launch') });
    expect(r.support).toEqual({ level: 'full' });
    expect(r.rawId).toBe('7');
    expect(r.extId).toBe(7);
    expect(r.spelling.lunch).toBe('launch');
    expect(r.statusIndex.lunch).toBe(3);
  });

  it('support levels: none, default only, statuses only', () => {
    expect(parseSelection('1', { id: 1 }).support.level).toBe('none');
    expect(parseSelection('1', { id: 1, presence_list: [item('away')] }).support.level).toBe('none');
    const def = parseSelection('1', { id: 1, vm_greeting: 'follow_system', presence_list: [item('away')] });
    expect(def.support.level).toBe('default-only');
    expect(def.supported).toEqual(['default']);
    const st = parseSelection('1', { id: 1, presence_list: [item('away', '')] });
    expect(st.supported).toEqual(['away']);
    expect(st.support.level).toBe('default-only');
  });

  it('an answer without a usable id is a bad response, not a crash', () => {
    expect(() => parseSelection('1', { vm_greeting: 'x' })).toThrow(/no usable "id"/);
  });
});

describe('buildUpdateBody', () => {
  it('sends id as read, vm_greeting only when the default changes, presence items with every key in order', () => {
    const read = parseSelection('3200', { id: 3, first_name: 'A', vm_greeting: 'follow_system', presence_list: sixItems() });
    expect(buildUpdateBody(read, { default: 'a.wav' })).toEqual({ id: 3, vm_greeting: 'a.wav' });
    const body = buildUpdateBody(read, { away: 'a.wav' }) as { presence_list: Record<string, unknown>[] };
    expect(Object.keys(body)).toEqual(['id', 'presence_list']);
    expect(Object.keys(body.presence_list[1]!)).toEqual(['status', 'information', 'ring_timeout', 'vm_greeting']);
    expect(body.presence_list[1]).toEqual({ status: 'away', information: 'x', ring_timeout: 25, vm_greeting: 'a.wav' });
    expect(body.presence_list[0]).toBe(read.presenceList![0]);
  });

  it('refuses a slot the PBX does not offer', () => {
    const read = parseSelection('3200', { id: 3, vm_greeting: 'follow_system' });
    expect(() => buildUpdateBody(read, { away: 'a.wav' })).toThrow(/Cannot choose the greeting for Away/);
  });
});

describe('value forms', () => {
  const greetings = [g(1, 'rec', 'rec.wav'), g(2, 'up.wav', 'up.wav')];
  it('learns the form from a selected greeting whose two names differ', () => {
    expect(learntForm(parseSelection('1', { id: 1, vm_greeting: 'rec.wav' }), greetings)).toBe('real_filename');
    expect(learntForm(parseSelection('1', { id: 1, vm_greeting: 'rec' }), greetings)).toBe('file');
    expect(learntForm(parseSelection('1', { id: 1, vm_greeting: 'up.wav' }), greetings)).toBeUndefined();
  });
  it('tries the listed file first unless the PBX showed real_filename; one value when both names agree', () => {
    expect(candidateValues(greetings[0]!, undefined)).toEqual(['rec', 'rec.wav']);
    expect(candidateValues(greetings[0]!, 'real_filename')).toEqual(['rec.wav', 'rec']);
    expect(candidateValues(greetings[1]!, undefined)).toEqual(['up.wav']);
  });
  it('finds the slots using a greeting by either name', () => {
    const read = parseSelection('1', { id: 1, vm_greeting: 'rec', presence_list: [item('away', 'rec.wav'), item('lunch', '')] });
    expect(slotsUsing(read, greetings[0]!)).toEqual(['default', 'away']);
  });
});

describe('verify by reading back', () => {
  it('an update the PBX accepts but does not apply ends in SelectionNotTakenError after trying both forms', async () => {
    const posted: unknown[] = [];
    const detail = { id: 1, vm_greeting: 'follow_system', presence_list: sixItems() };
    const api: PresenceApi = {
      apiGet: (async (endpoint: string, _q: unknown, schema: z.ZodType) => schema.parse(endpoint === 'extension/get' ? { data: detail } : {})) as PresenceApi['apiGet'],
      apiPost: (async (_e: string, body: unknown, schema: z.ZodType) => {
        posted.push(body);
        return schema.parse({});
      }) as PresenceApi['apiPost'],
      listGreetings: async () => [g(5, 'rec', 'rec.wav')],
      searchExtensions: async () => ({ total: 1, items: [{ id: 1, number: '3200', callerIdName: '', email: '', presence: '', online: false }] }),
      listExtensions: async () => ({ total: 0, items: [] }),
      deleteGreeting: async () => undefined,
    };
    const err = await chooseGreeting(api, '3200', ['away'], { kind: 'greeting', greeting: g(5, 'rec', 'rec.wav') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SelectionNotTakenError);
    expect(posted).toHaveLength(2);
    expect((err as SelectionNotTakenError).detail).toMatchObject({ tried: ['rec', 'rec.wav'] });
  });
});
