import { describe, expect, it } from 'vitest';
import { ERRMSG, apiErrorFor } from '../../../main/core/pbx/errcodes.js';
import { PbxApiError } from '../../../main/core/pbx/errors.js';
import { VmgsError } from '../../../main/core/errors.js';

const SPEC_CODES = [-2, -1, 1, 2, 10001, 10002, 10003, 10004, 10005, 40001, 40002, 40003, 40004, 60001, 60002, 60101, 70004, 70082, 70084, 70087, 70091, 70093, 70106, 70120];

describe('apiErrorFor', () => {
  it('covers every errcode of the spec table', () => {
    expect(Object.keys(ERRMSG).map(Number).sort((a, b) => a - b)).toEqual([...SPEC_CODES.filter((c) => c !== 0)].sort((a, b) => a - b));
  });

  it.each(SPEC_CODES)('maps %i to a typed PbxApiError with actionable text', (errcode) => {
    const e = apiErrorFor('extension/list', { errcode, errmsg: ERRMSG[errcode] });
    expect(e).toBeInstanceOf(PbxApiError);
    expect(e).toBeInstanceOf(VmgsError);
    expect(e.code).toBe(`PBX_${errcode}`);
    expect(e.errcode).toBe(errcode);
    expect(e.kind).toBe('pbx');
    expect(e.message).toContain(`PBX error ${errcode}`);
    // Actionable: a sentence beyond the raw errmsg.
    expect(e.message.length).toBeGreaterThan(50);
    expect(e.message).not.toMatch(/^The PBX refused extension\/list with error/);
  });

  it('explains the important codes the way an administrator needs', () => {
    expect(apiErrorFor('get_token', { errcode: -1, errmsg: 'FAILURE', invalid_param_list: [{ field: 'username or password' }] }).message).toMatch(/Client ID or Client Secret.*Integrations > API/);
    expect(apiErrorFor('get_token', { errcode: 70004, block_expire_time: 1700000000 }).message).toMatch(/IP address is blocked.*Security > Security Rules > Blocked IPs/);
    expect(apiErrorFor('extension_vm_greeting/upload', { errcode: 10005 }).message).toMatch(/lacks permission/);
    expect(apiErrorFor('extension_vm_greeting/upload', { errcode: 40004 }).message).toMatch(/too large.*8 MB/);
    expect(apiErrorFor('get_token', { errcode: 60002 }).message).toMatch(/8 tokens in use/);
    expect(apiErrorFor('extension_vm_greeting/upload', { errcode: 60002 }).message).toMatch(/limit for voicemail greetings/);
    expect(apiErrorFor('extension_vm_greeting/upload', { errcode: 60001 }).message).toMatch(/no extension with that number/);
    expect(apiErrorFor('extension_vm_greeting/delete', { errcode: 60001 }).message).toMatch(/greeting does not exist/);
    expect(apiErrorFor('get_token', { errcode: 70087 }).message).toMatch(/allowed IP list/);
  });

  it('keeps invalid field names but never their values', () => {
    const e = apiErrorFor('extension_vm_greeting/upload', { errcode: 40002, invalid_param_list: [{ field: 'file' }] });
    expect(e.message).toContain('field: file');
    expect(e.detail).toMatchObject({ invalidFields: ['file'], endpoint: 'extension_vm_greeting/upload' });
  });

  it('still produces a message for an unknown errcode', () => {
    const e = apiErrorFor('extension/list', { errcode: 99999, errmsg: 'NEW THING' });
    expect(e.code).toBe('PBX_99999');
    expect(e.message).toContain('NEW THING');
  });
});
