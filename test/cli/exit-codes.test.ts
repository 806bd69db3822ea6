import { describe, expect, it } from 'vitest';
import { VmgsError } from '../../main/core/errors.js';
import { EXIT, exitCodeFor } from '../../main/cli/exit-codes.js';
import { InputError, UsageError } from '../../main/cli/errors.js';

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
  it('treats "no PBX API answered" as network, whatever kind the class chose', () => {
    expect(exitCodeFor(new Named('PbxBadResponseError', 'pbx', 'PBX_HTML_RESPONSE'))).toBe(4);
    expect(exitCodeFor(new Named('PbxTlsError', 'pbx', 'PBX_TLS_PIN_MISMATCH'))).toBe(4);
    expect(exitCodeFor(new Named('GreetingExistsError', 'pbx', 'GREETING_EXISTS'))).toBe(5);
  });
  it('unknown errors are failures, never 0', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('boom')).toBe(1);
  });
});
