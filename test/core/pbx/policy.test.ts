import { describe, expect, it } from 'vitest';
import { keepBothName } from '../../../main/core/domain.js';
import { renamedCandidate, uploadWithPolicy, type GreetingUploader } from '../../../main/core/pbx/policy.js';
import { GreetingExistsError } from '../../../main/core/pbx/errors.js';
import { CancelledError } from '../../../main/core/errors.js';
import type { UploadGreetingOptions } from '../../../main/core/pbx/client.js';

function fake(existing: string[]) {
  const names = new Set(existing);
  const calls: string[] = [];
  const uploader: GreetingUploader = {
    greetingExists: async (ext: string, fileName: string) => {
      calls.push(`ask:${fileName}`);
      return names.has(fileName) ? { exists: true, existType: 'record' } : { exists: false };
    },
    uploadGreetingFile: async (o: UploadGreetingOptions) => {
      calls.push(`${o.mode}:${o.fileName}`);
      names.add(o.fileName);
      return { ext: o.ext, fileName: o.fileName, mode: o.mode, bytes: 1234 };
    },
  };
  return { uploader, calls };
}

const base = { ext: '3200', filePath: '/tmp/x.wav', fileName: 'vm_away.wav' };

describe('uploadWithPolicy', () => {
  it.each(['ask', 'overwrite', 'skip', 'rename', 'fail'] as const)('creates an absent name under policy %s', async (policy) => {
    const { uploader, calls } = fake([]);
    expect(await uploadWithPolicy(uploader, { ...base, policy })).toEqual({ ext: '3200', fileName: 'vm_away.wav', action: 'created', existed: false, bytes: 1234 });
    expect(calls).toEqual(['ask:vm_away.wav', 'force:vm_away.wav']);
  });

  it('overwrite forces the same name', async () => {
    const { uploader, calls } = fake(['vm_away.wav']);
    expect(await uploadWithPolicy(uploader, { ...base, policy: 'overwrite' })).toMatchObject({ action: 'overwritten', existed: true, fileName: 'vm_away.wav' });
    expect(calls).toEqual(['ask:vm_away.wav', 'force:vm_away.wav']);
  });

  it('skip uploads nothing', async () => {
    const { uploader, calls } = fake(['vm_away.wav']);
    expect(await uploadWithPolicy(uploader, { ...base, policy: 'skip' })).toMatchObject({ action: 'skipped', existed: true, bytes: 0 });
    expect(calls).toEqual(['ask:vm_away.wav']);
  });

  it('rename picks the first free name-N checked with ask', async () => {
    const { uploader, calls } = fake(['vm_away.wav', 'vm_away-2.wav', 'vm_away-3.wav']);
    expect(await uploadWithPolicy(uploader, { ...base, policy: 'rename' })).toMatchObject({ action: 'renamed', existed: true, fileName: 'vm_away-4.wav' });
    expect(calls).toEqual(['ask:vm_away.wav', 'ask:vm_away-2.wav', 'ask:vm_away-3.wav', 'ask:vm_away-4.wav', 'force:vm_away-4.wav']);
  });

  it('fail throws GreetingExistsError and uploads nothing', async () => {
    const { uploader, calls } = fake(['vm_away.wav']);
    await expect(uploadWithPolicy(uploader, { ...base, policy: 'fail' })).rejects.toBeInstanceOf(GreetingExistsError);
    expect(calls).toEqual(['ask:vm_away.wav']);
  });

  it('ask without decide throws GreetingExistsError; with decide follows the decision', async () => {
    const a = fake(['vm_away.wav']);
    await expect(uploadWithPolicy(a.uploader, { ...base, policy: 'ask' })).rejects.toMatchObject({ code: 'GREETING_EXISTS', kind: 'exists' });
    expect(a.calls).toEqual(['ask:vm_away.wav']);

    for (const [decision, action, name] of [['overwrite', 'overwritten', 'vm_away.wav'], ['rename', 'renamed', 'vm_away-2.wav'], ['skip', 'skipped', 'vm_away.wav']] as const) {
      const f = fake(['vm_away.wav']);
      const seen: unknown[] = [];
      const out = await uploadWithPolicy(f.uploader, { ...base, policy: 'ask', decide: async (e) => (seen.push(e), decision) });
      expect(out).toMatchObject({ action, fileName: name });
      expect(seen).toEqual([{ ext: '3200', fileName: 'vm_away.wav' }]);
    }
    const c = fake(['vm_away.wav']);
    await expect(uploadWithPolicy(c.uploader, { ...base, policy: 'ask', decide: async () => 'cancel' })).rejects.toBeInstanceOf(CancelledError);
    expect(c.calls).toEqual(['ask:vm_away.wav']);
  });

  it('rejects unsafe names before contacting the PBX', async () => {
    const { uploader, calls } = fake([]);
    await expect(uploadWithPolicy(uploader, { ...base, fileName: 'a"b.wav', policy: 'overwrite' })).rejects.toMatchObject({ code: 'PBX_BAD_FILE_NAME' });
    expect(calls).toEqual([]);
  });

  it('builds rename candidates with the one keep-both rule (base name within MAX_GREETING_NAME)', () => {
    expect(renamedCandidate('a.wav', 2)).toBe('a-2.wav');
    expect(renamedCandidate(`${'x'.repeat(96)}.wav`, 12)).toBe(`${'x'.repeat(61)}-12.wav`);
    expect(renamedCandidate).toBe(keepBothName);
  });
});
