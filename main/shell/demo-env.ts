// `npm run demo` starts the simulator itself (so the CLI can share it) and passes its address to the app in
// VMGS_DEMO_PBX_*. When they are set, "Try the demo PBX" connects to that simulator instead of starting its own.
import { z } from 'zod';
import type { DemoPbx } from '../ipc/services.js';

const demoEnv = z.object({
  VMGS_DEMO_PBX_URL: z.url({ protocol: /^https?$/ }),
  VMGS_DEMO_PBX_ID: z.string().min(1),
  VMGS_DEMO_PBX_SECRET: z.string().min(1),
  VMGS_DEMO_PBX_SHA256: z.string().regex(/^[0-9A-Fa-f:]{64,95}$/).optional(),
});

/** A `startDemoPbx` replacement for the simulator named in the environment, or undefined when none is named. */
export function demoPbxFromEnv(env: NodeJS.ProcessEnv): (() => Promise<DemoPbx>) | undefined {
  const parsed = demoEnv.safeParse(env);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  return async () => ({
    url: d.VMGS_DEMO_PBX_URL,
    clientId: d.VMGS_DEMO_PBX_ID,
    clientSecret: d.VMGS_DEMO_PBX_SECRET,
    ...(d.VMGS_DEMO_PBX_SHA256 ? { fingerprint256: d.VMGS_DEMO_PBX_SHA256 } : {}),
    // The simulator belongs to `npm run demo`, which stops it when it exits.
    close: async () => undefined,
  });
}
