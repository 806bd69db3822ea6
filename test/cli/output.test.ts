import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Output } from '../../main/cli/output.js';
import { InputError } from '../../main/cli/errors.js';
import { renderTable } from '../../main/cli/table.js';
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
