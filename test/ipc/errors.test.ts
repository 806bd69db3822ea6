// Refused IPC requests are phrased by field, never by internal channel name.
import { describe, expect, it } from 'vitest';
import { BadPayloadError, badPayloadMessage, fieldLabel } from '../../main/ipc/errors.js';

describe('validation wording', () => {
  it('names the field the person filled in', () => {
    expect(fieldLabel('baseUrl')).toBe('PBX address');
    expect(fieldLabel('tls.pinSha256')).toBe('Certificate fingerprint');
    expect(fieldLabel('targets.3')).toBe('Extensions');
    expect(fieldLabel('trimStartSec')).toBe('Trim start sec');
    expect(fieldLabel('')).toBeNull();
  });

  it('keeps messages written for people and replaces zod defaults', () => {
    expect(badPayloadMessage([{ path: 'baseUrl', message: 'Enter the PBX address as https://host:port' }])).toBe('PBX address: Enter the PBX address as https://host:port.');
    expect(badPayloadMessage([{ path: 'clientSecret', message: 'Too small: expected string to have >=1 characters' }])).toBe('Client Secret is missing or not valid. Check it and try again.');
    expect(badPayloadMessage([{ path: '', message: 'unknown channel' }])).toMatch(/could not read this request/);
    expect(badPayloadMessage([])).toMatch(/could not read this request/);
  });

  it('BadPayloadError: no channel name in the message; channel and field stay in detail', () => {
    const e = new BadPayloadError('saveProfile', [{ path: 'baseUrl', message: 'Enter the PBX address as https://host:port' }]);
    expect(e.message).not.toContain('saveProfile');
    expect(e.message).not.toMatch(/Invalid request/);
    expect(e.detail).toMatchObject({ channel: 'saveProfile', field: 'baseUrl' });
  });
});
