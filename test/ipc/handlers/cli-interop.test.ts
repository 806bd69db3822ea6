// App and CLI on one data folder: a draft the CLI made appears in the app, an item the app queued appears in
// `vmgreet queue list`, and while a vmgreet holds the queue lock the app's Outbox says who and waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { resolveDataDir } from '../../../main/cli/library-context.js';
import { appDataDir } from '../../../main/shell/compose.js';
import { BIN, childEnv, ensureBuilt, oneJson, runVmgreet } from '../../cli/helpers.js';
import { espeak } from '../../helpers/audio-fixtures.js';
import { laterSim, saveSimProfile, sim, speechBytes, startApp, tempDir, waitFor } from './helpers.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await ensureBuilt();
  tmp = await tempDir('vmgs-interop-');
}, 180_000);
afterAll(async () => {
  await tmp?.cleanup();
});

describe('one data folder for the app and the CLI', () => {
  it('the app and vmgreet default to the same folder (VMGREET_DATA_DIR, else defaultDataDir())', () => {
    expect(appDataDir({})).toBe(resolveDataDir(undefined, {}));
    expect(appDataDir({ VMGREET_DATA_DIR: '/srv/greetings' })).toBe(resolveDataDir(undefined, { VMGREET_DATA_DIR: '/srv/greetings' }));
  });

  it('a draft made with the CLI is listed by the app; an item the app queued is in `vmgreet queue list`', async () => {
    const dataDir = path.join(tmp.dir, 'shared');
    const s = await sim();
    const conn = { VMGREET_PBX_URL: s.url, VMGREET_CLIENT_ID: s.clientId, VMGREET_CLIENT_SECRET: s.clientSecret, VMGREET_DATA_DIR: dataDir };
    try {
      const made = await runVmgreet(['tts', '--template', 'after-hours', '--ext', '3200', '--fill', 'company=Example Ltd', '--json'], { env: conn, timeoutMs: 60_000 });
      expect(made.code, made.stderr).toBe(0);
      const t = startApp(dataDir);
      try {
        const page = await t.h.listDrafts({ page: 1, pageSize: 10, trash: false, query: '' }, t.ctx);
        expect(page.items).toEqual([expect.objectContaining({ name: 'after-hours', origin: 'tts', targets: ['3200'] })]);
        expect(page.items[0]?.script).toContain('Example Ltd');
        // Offline profile: the item waits in the queue, where the CLI sees it.
        const later = await laterSim();
        const profileId = await saveSimProfile(t, later, 'Branch');
        const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(tmp.dir) }, t.ctx);
        const { itemIds } = await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3210'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId }, t.ctx);
        const listed = oneJson((await runVmgreet(['queue', 'list', '--json'], { env: { VMGREET_DATA_DIR: dataDir } })).stdout) as { items: { id: string; state: string; ext: string }[] };
        // Pending, or running while the Outbox tries the (offline) PBX once more.
        expect(listed.items.find((i) => i.id === itemIds[0])).toMatchObject({ ext: '3210', state: expect.stringMatching(/^(pending|running)$/) });
        const drafts = oneJson((await runVmgreet(['drafts', 'list', '--json'], { env: { VMGREET_DATA_DIR: dataDir } })).stdout) as { items: { id: string }[] };
        expect(drafts.items.map((d) => d.id)).toContain(src.draftId);
      } finally {
        await t.dispose();
      }
    } finally {
      await s.close();
    }
  });

  it('the directory the app cached lets `vmgreet tts --template --ext` plan while the PBX cannot be reached', async () => {
    const dataDir = path.join(tmp.dir, 'directory');
    const s = await sim();
    const t = startApp(dataDir);
    try {
      const profileId = await saveSimProfile(t, s);
      await t.h.connect({ id: profileId }, t.ctx);
      await waitFor(async () => (await t.app.context.directory.read({ origin: `http://127.0.0.1:${s.port}`, clientId: s.clientId }))?.complete === true, 5000, 'directory cached');
    } finally {
      await t.dispose();
      await s.close();
    }
    const env = { VMGREET_PBX_URL: s.url, VMGREET_CLIENT_ID: s.clientId, VMGREET_CLIENT_SECRET: s.clientSecret, VMGREET_DATA_DIR: dataDir };
    const dry = await runVmgreet(['tts', '--template', 'away', '--ext', '3200-3201', '--engine', 'espeak-ng', '--dry-run', '--json'], { env });
    const d = oneJson(dry.stdout) as { directory: { source: string; fetchedAt: string | null }; rows: { ext: string; name: string; script: string }[] };
    expect(d.directory).toMatchObject({ source: 'cache', fetchedAt: expect.stringMatching(/^\d{4}-/) });
    expect(d.rows.map((r) => r.ext)).toEqual(['3200', '3201']);
    expect(d.rows[0]?.script).toContain('extension 3200');
  });

  it('while a vmgreet holds the queue lock, the Outbox shows who and sends nothing; afterwards it drains', async () => {
    const dataDir = path.join(tmp.dir, 'locked');
    const s = await sim();
    // The CLI's upload is slow on this PBX, so it holds the lock a while.
    s.injectFault({ kind: 'latency', ms: 3000, path: 'extension_vm_greeting/upload', times: 1 });
    const file = await espeak(path.join(tmp.dir, 'cli.wav'), 'Hello from the command line.');
    const cli = spawn(process.execPath, [BIN, 'upload', file, '--ext', '3200', '--name', 'cli', '--if-exists', 'overwrite'], {
      env: childEnv({ VMGREET_PBX_URL: s.url, VMGREET_CLIENT_ID: s.clientId, VMGREET_CLIENT_SECRET: s.clientSecret, VMGREET_DATA_DIR: dataDir }),
      stdio: 'ignore',
    });
    const cliDone = new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
    const t = startApp(dataDir);
    try {
      const profileId = await saveSimProfile(t, s);
      const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(tmp.dir) }, t.ctx);
      await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).lockedBy !== null, 15_000, 'the CLI to hold the lock');
      await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3201'], name: 'app', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId }, t.ctx);
      const page = await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx);
      expect(page.lockedBy).toMatch(/^vmgreet \(pid \d+\)$/);
      const mine = page.items.find((i) => i.ext === '3201');
      expect(mine).toMatchObject({ state: 'pending', waitingReason: expect.stringContaining('vmgreet (pid') });
      expect(s.greetings('3201')).toEqual([]);
      expect(await cliDone).toBe(0);
      await waitFor(() => s.greetings('3201').some((g) => g.real_filename === 'app.wav'), 15_000, 'drained after the CLI let go');
      expect((await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).lockedBy).toBeNull();
    } finally {
      cli.kill('SIGKILL');
      await t.dispose();
      await s.close();
    }
  });
});
