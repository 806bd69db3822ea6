import { describe, expect, it } from 'vitest';
import { parseEnvelope, parseFields } from '../../../main/core/pbx/answers.js';
import { PbxBadResponseError } from '../../../main/core/pbx/errors.js';
import { extensionListSchema, greetingListSchema, tokenSchema } from '../../../main/core/pbx/schemas.js';

const id = (s: string): string => s.replace(/SECRET/g, '***');
const raw = (status: number, body: string, contentType = 'application/json') => ({ status, contentType, body: Buffer.from(body) });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PbxBadResponseError);
    return (error as PbxBadResponseError).code;
  }
  throw new Error('did not throw');
}

describe('parseEnvelope', () => {
  it('accepts a success envelope with unknown extra fields', () => {
    const { env, json } = parseEnvelope('x', raw(200, '{"errcode":0,"errmsg":"SUCCESS","owner":"3200","brand_new":{"a":1}}'), id);
    expect(env.errcode).toBe(0);
    expect(json).toMatchObject({ owner: '3200' });
  });
  it('uses errcode even when the HTTP status is not 200', () => {
    expect(parseEnvelope('x', raw(500, '{"errcode":-2,"errmsg":"INTERNAL SERVER ERROR"}'), id).env.errcode).toBe(-2);
  });
  it('recognises an HTML error page and scrubs its title', () => {
    const e = (() => {
      try {
        parseEnvelope('extension/list', raw(200, '<!doctype html><html><head><title>Login SECRET</title></head></html>', 'text/html'), id);
      } catch (error) {
        return error as PbxBadResponseError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('PBX_HTML_RESPONSE');
    expect(e.message).toContain('Login ***');
    expect(JSON.stringify(e)).not.toContain('SECRET');
  });
  it('reports garbled JSON', () => {
    expect(codeOf(() => parseEnvelope('x', raw(200, '{"errcode":0,"errm'), id))).toBe('PBX_INVALID_JSON');
  });
  it('reports a 5xx without JSON as an HTTP status error', () => {
    expect(codeOf(() => parseEnvelope('x', raw(503, '<h1>Service Unavailable</h1>', 'text/html'), id))).toBe('PBX_HTTP_STATUS');
  });
  it('reports JSON that is not an envelope', () => {
    expect(codeOf(() => parseEnvelope('x', raw(200, '{"status":"ok"}'), id))).toBe('PBX_UNEXPECTED_RESPONSE');
    expect(codeOf(() => parseEnvelope('x', raw(200, '[1,2]'), id))).toBe('PBX_UNEXPECTED_RESPONSE');
  });
});

describe('schemas', () => {
  it('validates token answers (numbers as strings tolerated)', () => {
    const t = parseFields('get_token', tokenSchema, { errcode: 0, access_token: 'a', access_token_expire_time: '1800', refresh_token: 'r', refresh_token_expire_time: 86400, extra: true });
    expect(t.access_token_expire_time).toBe(1800);
    expect(codeOf(() => parseFields('get_token', tokenSchema, { errcode: 0, access_token: 'a' }))).toBe('PBX_UNEXPECTED_RESPONSE');
  });
  it('validates extension lists and tolerates odd optional fields', () => {
    const v = parseFields('extension/list', extensionListSchema, {
      total_number: 2,
      data: [
        { id: 11, number: 3200, caller_id_name: 'Front Desk', online_status: { sip_phone: { status: 1 }, weird: 'x' }, presence_status: 'available', new_field: [] },
        { id: '12', number: '3201', online_status: {} },
      ],
    });
    expect(v.data[0]?.number).toBe('3200');
    expect(v.data[1]?.id).toBe(12);
    expect(codeOf(() => parseFields('extension/list', extensionListSchema, { data: [] }))).toBe('PBX_UNEXPECTED_RESPONSE');
    expect(codeOf(() => parseFields('extension/list', extensionListSchema, { total_number: 1, data: [{ number: '1' }] }))).toBe('PBX_UNEXPECTED_RESPONSE');
  });
  it('validates greeting lists', () => {
    const g = parseFields('l', greetingListSchema, { total_number: 1, greeting_list: [{ id: 31, module: 'extension', number: '3200', file: 'vm_away.wav', suffix: '.wav', type: 'record', real_filename: 'vm_away.wav' }] });
    expect(g.greeting_list[0]?.real_filename).toBe('vm_away.wav');
  });
});
