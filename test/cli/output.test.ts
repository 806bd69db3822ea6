import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Output } from '../../main/cli/output.js';
import { InputError } from '../../main/cli/errors.js';
import { renderTable } from '../../main/cli/table.js';
import { itemsTable } from '../../main/cli/queue-run.js';
import { VmgsError } from '../../main/core/errors.js';
import type { QueueItem } from '../../main/core/library/index.js';
import type { CliIo } from '../../main/cli/io.js';

function fakeIo(tty = false): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => (out.push(s), true), isTTY: tty },
    stderr: { write: (s: string) => (err.push(s), true), isTTY: tty },
    stdin: new PassThrough(),
    env: {},
  };
  return { io, out, err };
}

describe('Output', () => {
  it('JSON mode prints exactly one document on stdout, even if asked twice', () => {
    const { io, out } = fakeIo();
    const o = new Output(io, { json: true });
    o.info('chatter');
    o.result({ a: 1 }, () => 'human');
    o.error(new InputError('late failure'));
    expect(out).toHaveLength(1);
    expect(JSON.parse(out.join(''))).toEqual({ a: 1 });
  });
  it('errors: one line on stderr, and a JSON error document on stdout with --json', () => {
    const { io, out, err } = fakeIo();
    const code = new Output(io, { json: true }).error(new InputError('The file is empty.', 'AUDIO_EMPTY_FILE'));
    expect(code).toBe(2);
    expect(err.join('')).toBe('vmgreet: The file is empty.\n');
    expect(JSON.parse(out.join(''))).toEqual({ error: { code: 'AUDIO_EMPTY_FILE', kind: 'input', message: 'The file is empty.', exitCode: 2 } });
  });
  it('human mode: result on stdout, nothing on stdout for errors', () => {
    const { io, out, err } = fakeIo();
    const o = new Output(io, { json: false });
    o.result({ a: 1 }, () => 'done');
    expect(out.join('')).toBe('done\n');
    o.error(new InputError('bad'));
    expect(out.join('')).toBe('done\n');
    expect(err.join('')).toContain('vmgreet: bad');
  });
  it('never prints a registered secret or an access token', () => {
    const { io, out, err } = fakeIo();
    const o = new Output(io, { json: false });
    o.addSecret('s3cr3t-value');
    o.warn('GET /x?access_token=abcdef&y=1 failed with s3cr3t-value');
    o.info('secret is s3cr3t-value');
    expect(err.join('') + out.join('')).not.toMatch(/s3cr3t-value|abcdef/);
    expect(err.join('')).toContain('access_token=***');
  });
  it('no progress bar off a terminal or in JSON mode', () => {
    const { io, err } = fakeIo(false);
    const p = new Output(io, { json: false }).progress('Uploading', 100, 'bytes');
    p.update(50);
    p.stop();
    expect(err).toHaveLength(0);
    const tty = fakeIo(true);
    const q = new Output(tty.io, { json: true }).progress('Uploading', 100, 'bytes');
    q.update(50);
    q.stop();
    expect(tty.err).toHaveLength(0);
  });
});

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers, and neutralises control characters', () => {
    const t = renderTable(
      [
        { n: '3200', name: 'Front Desk' },
        { n: '12', name: 'Zoë\r\nInjected' },
      ],
      [
        { header: 'NUMBER', value: (r) => r.n, align: 'right' },
        { header: 'NAME', value: (r) => r.name },
      ],
    );
    const lines = t.trimEnd().split('\n');
    expect(lines).toEqual(['NUMBER  NAME', '------  -------------', '  3200  Front Desk', '    12  Zoë??Injected']);
  });
});

// A small seeded generator (mulberry32), so a failing case can be replayed from its seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECRET = 'Sup3r-S3cret"\\value';
const PIECES = [
  '"', '\\', '\\"', '\\\\"', "'", 'access_token=', 'access_token=abc123', 'access_token=tok"en\\', 'refresh_token=r3fr3sh', '&', '=', ' ',
  '\n', '\r', '\t', '\u0000', '\u001f', '\u2028', 'é', 'Grüße', '日本語', '🎙️', '\u0301', '\u200f', '\ud83d', '\udc00', SECRET, SECRET.slice(0, 6), '{', '}', '[', ']', ',', ':',
  'https://pbx.example:8088/openapi/v1.0/extension/list?access_token=', 'x',
];

function message(r: () => number): string {
  let out = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i += 1) out += PIECES[Math.floor(r() * PIECES.length)] ?? '';
  return out;
}

describe('--json documents stay valid JSON whatever the messages hold', () => {
  it('parses for 600 generated messages with quotes, backslashes, access_token=, secrets and unicode', () => {
    for (let seed = 1; seed <= 600; seed += 1) {
      const r = rng(seed);
      const m = message(r);
      // A result document with the message in nested places, and an error document carrying it.
      for (const kind of ['result', 'error'] as const) {
        const { io, out, err } = fakeIo();
        const o = new Output(io, { json: true });
        o.addSecret(SECRET);
        if (kind === 'result') o.result({ message: m, items: [{ reason: m, detail: { nested: [m, 1, null, true] } }], [`k${seed}`]: m }, () => '');
        else o.error(new VmgsError('pbx', 'PBX_X', m, { detail: { echoed: m } }));
        const text = out.join('');
        let doc: unknown;
        expect(() => (doc = JSON.parse(text)), `seed ${seed} (${kind}): ${JSON.stringify(m)}\n${text}`).not.toThrow();
        const all = JSON.stringify(doc) + err.join('');
        expect(all, `seed ${seed}`).not.toContain(SECRET);
        expect(all, `seed ${seed}`).not.toMatch(/access_token=(?!\*\*\*)[^&\s"'\\]/);
        expect(all, `seed ${seed}`).not.toContain('abc123');
        expect(all, `seed ${seed}`).not.toContain('r3fr3sh');
      }
    }
  });

  it('keeps the text it does not redact exactly (no eaten backslash before a quote)', () => {
    const { io, out } = fakeIo();
    const o = new Output(io, { json: true });
    const m = 'GET /x?access_token=abc" failed: \\"quoted\\" path C:\\dir\\ and "Zoë"';
    o.result({ m }, () => '');
    expect(JSON.parse(out.join(''))).toEqual({ m: 'GET /x?access_token=***" failed: \\"quoted\\" path C:\\dir\\ and "Zoë"' });
  });
});

describe('itemsTable DETAIL', () => {
  it('shows why only for items that did not succeed; a healed retry stays in the history, not the table', () => {
    const base = { ext: '3200', fileName: 'a.wav', target: 'a.wav', historyId: 'h-1', reason: null };
    const items = [
      { ...base, state: 'uploaded', action: 'created', lastError: { code: 'PBX_HTTP_STATUS', message: 'HTTP 503 once, then fine' } },
      { ...base, ext: '3201', state: 'uploaded', action: 'unchanged', lastError: { code: 'PBX_CONNECTION_RESET', message: 'reset once' } },
      { ...base, ext: '3202', state: 'renamed', action: 'renamed', target: 'a-2.wav', lastError: { code: 'PBX_TIMEOUT', message: 'slow once' } },
      { ...base, ext: '3203', state: 'failed', action: null, reason: 'Extension 3203 already has a greeting named "a.wav".', lastError: { code: 'GREETING_EXISTS', message: 'x' } },
      { ...base, ext: '3204', state: 'pending', action: null, lastError: { code: 'PBX_CONNECTION_REFUSED', message: 'Nothing accepts connections' } },
    ] as unknown as QueueItem[];
    const lines = itemsTable(items).trimEnd().split('\n');
    expect(lines[2]).toMatch(/^\s*3200\s+a\.wav\s+created\s+h-1$/);
    expect(lines[3]).toMatch(/^\s*3201\s+a\.wav\s+unchanged\s+h-1$/);
    expect(lines[4]).toMatch(/^\s*3202\s+a-2\.wav\s+renamed\s+h-1$/);
    expect(lines[5]).toMatch(/3203\s+a\.wav\s+failed\s+Extension 3203 already has a greeting/);
    expect(lines[6]).toMatch(/3204\s+a\.wav\s+pending\s+Nothing accepts connections/);
  });
});
