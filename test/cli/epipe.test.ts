// A reader that goes away early (`vmgreet … | head -1`) ends vmgreet quietly, without a stack trace.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, childEnv, ensureBuilt } from './helpers.js';

beforeAll(async () => {
  await ensureBuilt();
}, 180_000);

describe('stdout closed by the reader', () => {
  it('help piped into a reader that closes at once: no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'greetings', 'use', '--help'], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    // Close our end before vmgreet has written its help: its next write hits a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event|at /);
    expect(code).toBe(0);
  }, 60_000);
});
