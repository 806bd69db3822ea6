import { describe, expect, it } from 'vitest';
import { demoPbxFromEnv } from '../../main/shell/demo-env.js';

const FP = Array.from({ length: 32 }, () => 'AB').join(':');

describe('demoPbxFromEnv', () => {
  it('is undefined unless npm run demo named a simulator', () => {
    expect(demoPbxFromEnv({})).toBeUndefined();
    expect(demoPbxFromEnv({ VMGS_DEMO_PBX_URL: 'https://127.0.0.1:1', VMGS_DEMO_PBX_ID: 'id' })).toBeUndefined();
    expect(demoPbxFromEnv({ VMGS_DEMO_PBX_URL: 'ftp://x', VMGS_DEMO_PBX_ID: 'id', VMGS_DEMO_PBX_SECRET: 's' })).toBeUndefined();
  });

  it('connects "Try the demo PBX" to the named simulator, with its pinned fingerprint, and never stops it', async () => {
    const start = demoPbxFromEnv({
      VMGS_DEMO_PBX_URL: 'https://127.0.0.1:4443',
      VMGS_DEMO_PBX_ID: 'client',
      VMGS_DEMO_PBX_SECRET: 'secret',
      VMGS_DEMO_PBX_SHA256: FP,
    });
    expect(start).toBeTypeOf('function');
    const demo = await start!();
    expect(demo).toMatchObject({ url: 'https://127.0.0.1:4443', clientId: 'client', clientSecret: 'secret', fingerprint256: FP });
    await expect(demo.close()).resolves.toBeUndefined();
  });
});
