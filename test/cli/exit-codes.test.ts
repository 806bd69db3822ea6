import { describe, expect, it } from 'vitest';
import { VmgsError } from '../../main/core/errors.js';
import { EXIT, exitCodeFor } from '../../main/cli/exit-codes.js';
import { InputError, UsageError } from '../../main/cli/errors.js';
import { GreetingExistsError } from '../../main/core/errors.js';
import { PbxApiError, PbxBadResponseError, PbxTimeoutError, PbxTlsError } from '../../main/core/pbx/errors.js';

class Named extends VmgsError {
  constructor(name: string, kind: ConstructorParameters<typeof VmgsError>[0], code: string) {
    super(kind, code, 'x');
    this.name = name;
  }
}

describe('exitCodeFor', () => {
  it('maps kinds to the documented codes', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeFor(new InputError('x'))).toBe(EXIT.input);
    expect(exitCodeFor(new VmgsError('audio', 'AUDIO_EMPTY_FILE', 'x'))).toBe(2);
    expect(exitCodeFor(new VmgsError('pbx', 'PBX_60001', 'x'))).toBe(3);
    expect(exitCodeFor(new VmgsError('network', 'PBX_CONNECTION_REFUSED', 'x'))).toBe(4);
    expect(exitCodeFor(new VmgsError('exists', 'GREETING_EXISTS', 'x'))).toBe(5);
  });
  it('follows from the kind each error class gives itself: no table of class names or codes', () => {
    expect(exitCodeFor(new PbxBadResponseError('PBX_HTML_RESPONSE', 'a web page'))).toBe(4);
    expect(exitCodeFor(new PbxTlsError('PBX_TLS_PIN_MISMATCH', 'pin', {}))).toBe(4);
    expect(exitCodeFor(new PbxTimeoutError('slow'))).toBe(4);
    expect(exitCodeFor(new PbxApiError(60001, 'extension_vm_greeting/upload', 'no such extension'))).toBe(3);
    expect(exitCodeFor(new GreetingExistsError('3200', 'a.wav'))).toBe(5);
    expect(exitCodeFor(new VmgsError('busy', 'QUEUE_BUSY', 'x'))).toBe(EXIT.busy);
    // A class that says "pbx" is a PBX refusal, whatever its name: the name is not consulted.
    expect(exitCodeFor(new Named('PbxBadResponseError', 'pbx', 'PBX_HTML_RESPONSE'))).toBe(3);
  });
  it('unknown errors are failures, never 0', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('boom')).toBe(1);
  });
});
