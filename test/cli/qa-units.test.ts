// What a PBX administrator reads, unit by unit: each message said once (no doubled "extension N: Extension N", no
// advice given twice by the message and the hint, no parenthesis inside a parenthesis), and the counts right.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../main/cli/io.js';
import { Output, errorDocument } from '../../main/cli/output.js';
import { offlineLine } from '../../main/cli/queue-run.js';
import { compactExtensions, rowProblem } from '../../main/cli/row-text.js';
import { fillScript } from '../../main/core/content/placeholders.js';
import { engineFailed } from '../../main/core/content/tts/engine.js';
import { ESPEAK_INFO } from '../../main/core/content/tts/local.js';
import { GreetingExistsError } from '../../main/core/errors.js';
import type { QueueItem } from '../../main/core/library/index.js';
import { apiErrorFor } from '../../main/core/pbx/errcodes.js';
import { GreetingInUseError } from '../../main/core/pbx/selection-errors.js';

const nested = /\([^()]*\([^()]*\)[^()]*\)/;

function item(over: Partial<QueueItem>): QueueItem {
  return {
    id: 'q-1',
    ext: '3200',
    fileName: 'away.wav',
    target: null,
    state: 'pending',
    action: null,
    reason: null,
    lastError: null,
    pbx: { origin: 'http://127.0.0.1:1', clientId: 'c' },
    pbxProfileId: 'cli:http://127.0.0.1:1#c',
    ...over,
  } as QueueItem;
}

describe('row messages', () => {
  it('name the row once: no "extension 3250: Extension 3250 …"', () => {
    expect(rowProblem({ ext: '3250' }, 'Extension 3250 does not exist on this PBX.')).toBe('Extension 3250 does not exist on this PBX.');
    expect(rowProblem({ ext: '3250', line: 5 }, 'Extension 3250 does not exist on this PBX.')).toBe('line 5: Extension 3250 does not exist on this PBX.');
    expect(rowProblem({ ext: '3205' }, '{company} has no value.')).toBe('extension 3205: {company} has no value.');
    expect(rowProblem({ ext: '32' }, 'Extension 3250 is busy.')).toBe('extension 32: Extension 3250 is busy.');
    expect(rowProblem({ ext: '', line: 8 }, 'Extension "" is not valid.')).toBe('line 8: Extension "" is not valid.');
    expect(rowProblem({ ext: '3200', line: 4 }, 'line 4: the file is missing.')).toBe('line 4: the file is missing.');
  });
  it('compact a list of extension numbers into ranges', () => {
    expect(compactExtensions(['3250', '3251', '3252', '3260', '0100', '0101', '3253'])).toBe('0100-0101, 3250-3253, 3260');
    expect(compactExtensions(['99', '100'])).toBe('99, 100');
  });
});

describe('advice is given once', () => {
  it('an upload whose name exists: the hint names the flags, the message no longer repeats the choice', () => {
    const doc = errorDocument(new GreetingExistsError('3200', 'away.wav'), 5);
    expect(doc.error.message).toBe('Extension 3200 already has a greeting named "away.wav". Nothing was uploaded.');
    expect(doc.error.hint).toMatch(/--if-exists overwrite, rename or skip/);
  });
  it('a rename or a recording onto a taken name says what to do and offers no --if-exists', () => {
    for (const doing of ['rename', 'record'] as const) {
      const doc = errorDocument(new GreetingExistsError('3200', 'away.wav', undefined, doing), 5);
      expect(doc.error.message).not.toMatch(/uploaded|overwrite, rename or skip/);
      expect(doc.error.hint).toBeUndefined();
    }
  });
  it('a greeting in use: the hint names --reset-statuses', () => {
    const doc = errorDocument(new GreetingInUseError('3200', 'away.wav', ['away', 'do_not_disturb']), 3);
    expect(doc.error.message).toBe('away.wav plays on extension 3200 for Away, Do not disturb, so it was not deleted.');
    expect(doc.error.hint).toMatch(/--reset-statuses/);
  });
  it('the human error output shows the message and the hint, each once', () => {
    const err: string[] = [];
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (s: string) => (err.push(s), true) }, stdin: new PassThrough(), env: {} };
    new Output(io, { json: false }).error(new GreetingExistsError('3200', 'away.wav'));
    expect(err.join('').match(/overwrite, rename or skip/g)).toHaveLength(1);
  });
});

describe('messages from the core', () => {
  it('record by phone with an unknown number says so (not "that greeting does not exist")', () => {
    const e = apiErrorFor('extension_vm_greeting/record', { errcode: 60001 });
    expect(e.message).toMatch(/no extension with one of these numbers/);
    expect(e.message).not.toMatch(/greeting does not exist/);
  });
  it('an unfilled placeholder is explained without a parenthesis inside a parenthesis', () => {
    for (const key of ['name', 'back_date', 'company', 'extension']) {
      const p = fillScript(`Hello {${key}}.`, {}).problems[0];
      expect(p?.message).toMatch(new RegExp(`^\\{${key}\\} has no value: `));
      expect(p?.message).not.toMatch(nested);
    }
  });
  it('an engine failure quotes the program without its "Error:" label and without a doubled full stop', () => {
    const e = engineFailed(ESPEAK_INFO, 'Error: The specified espeak-ng voice does not exist.\n');
    expect(e.message).toBe('eSpeak NG could not speak the text: The specified espeak-ng voice does not exist. Try another voice or engine (vmgreet tts --engines lists them).');
  });
});

describe('after a run the PBX could not be reached', () => {
  it('counts every unfinished item as queued, not only those that met the error', () => {
    const msg = 'Nothing accepts connections at 127.0.0.1:1. Check the address and port (the PBX web port, by default 8088 for HTTPS) and that the PBX is running.';
    const items = [
      item({ id: 'q-a', state: 'uploaded', action: 'created' }),
      item({ id: 'q-b', state: 'pending', lastError: { code: 'PBX_UNREACHABLE', message: msg, unreachable: true } }),
      item({ id: 'q-c', state: 'pending' }),
      item({ id: 'q-d', state: 'pending' }),
    ];
    const line = offlineLine(items) ?? '';
    expect(line).toMatch(/3 items stay queued/);
    expect(line).not.toMatch(nested);
    expect(offlineLine([item({ state: 'pending' })])).toBeUndefined();
  });
});

describe('progress on a terminal', () => {
  it('a line printed while a bar runs goes above it and the bar is drawn again, so it keeps going', async () => {
    let err = '';
    const io: CliIo = { stdout: { write: (s: string) => ((err += s), true), isTTY: true }, stderr: { write: (s: string) => ((err += s), true), isTTY: true, columns: 100 } as never, stdin: new PassThrough(), env: {} };
    const o = new Output(io, { json: false });
    const bar = o.progress('Uploading', 10, 'items');
    bar.update(3);
    o.info('    3200  away.wav  created');
    const afterLine = err.slice(err.indexOf('3200  away.wav  created'));
    expect(afterLine).toMatch(/Uploading \[[^\]]*\] 3\/10/);
    bar.update(4);
    await new Promise((r) => setTimeout(r, 300)); // cli-progress redraws on its own timer
    expect(err.slice(err.lastIndexOf('created'))).toMatch(/4\/10/);
    bar.stop();
  });
  it('starting a second bar ends the first instead of drawing both on one line', async () => {
    let err = '';
    const io: CliIo = { stdout: { write: () => true, isTTY: true }, stderr: { write: (s: string) => ((err += s), true), isTTY: true, columns: 100 } as never, stdin: new PassThrough(), env: {} };
    const o = new Output(io, { json: false });
    const a = o.progress('Preparing', 100, 'percent');
    a.update(50);
    const b = o.progress('Uploading', 10, 'bytes');
    b.update(5);
    a.update(60); // a stopped bar draws nothing
    await new Promise((r) => setTimeout(r, 300)); // cli-progress redraws on its own timer
    expect(err.slice(err.indexOf('Uploading'))).not.toMatch(/Preparing/);
    b.stop();
  });
});
