// The test bridge as its own process (the process that runs the handlers, as the Electron main process does), for
// tests that SIGKILL it and start it again on the same data folder. Runs the bridge compiled to build/ (Node 20
// cannot run the .ts sources). Profiles persist in a settings file through the app's own FileProfileStore, with a
// reversible stand-in for safeStorage, so a restarted process has the same profiles and secrets.
// argv[2]: JSON { buildRoot, dataDir, settingsFile, rendererDir?, outbox?, connectionCheckMs? }
// Prints "READY <origin>" once it listens.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const mod = (rel) => import(pathToFileURL(path.join(cfg.buildRoot, rel)).href);
const { startBridge } = await mod('test/e2e/bridge/server.js');
const { FileProfileStore } = await mod('main/shell/profile-store.js');

const secrets = {
  status: () => ({ available: true, backend: 'test' }),
  encrypt: (s) => Buffer.from(s).reverse().toString('base64'),
  decrypt: (s) => Buffer.from(s, 'base64').reverse().toString(),
};
const bridge = await startBridge({
  rendererDir: cfg.rendererDir ?? path.join(cfg.buildRoot, 'renderer'),
  dataDir: cfg.dataDir,
  profiles: new FileProfileStore(cfg.settingsFile, secrets),
  startDemoPbx: async () => {
    throw new Error('no demo PBX in this process');
  },
  ...(cfg.outbox ? { outbox: cfg.outbox } : {}),
  ...(cfg.connectionCheckMs ? { connectionCheckMs: cfg.connectionCheckMs } : {}),
});
process.stdout.write(`READY ${bridge.origin}\n`);
const stop = () => void bridge.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
