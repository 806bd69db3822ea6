import { describe, expect, it } from 'vitest';
import { backDateWords, fillScript, scanScript, spokenDigits } from '../../../main/core/content/index.js';

describe('placeholders', () => {
  it('fills every placeholder, spaces extension digits only in the spoken text', () => {
    const r = fillScript('Hi, {name} at {extension} for {company}, back on {back_date}.', {
      name: 'Ana Lima', extension: '3203', company: 'Example Ltd', back_date: '2025-01-06',
    });
    expect(r.problems).toEqual([]);
    expect(r.script).toBe('Hi, Ana Lima at 3203 for Example Ltd, back on Monday, January 6, 2025.');
    expect(r.spoken).toBe('Hi, Ana Lima at 3 2 0 3 for Example Ltd, back on Monday, January 6, 2025.');
    expect(r.used).toEqual(['name', 'extension', 'company', 'back_date']);
  });

  it('reports unknown and unfilled placeholders and stray braces instead of speaking them', () => {
    const r = fillScript('Hello {Name}, {company} and {name} } {', { name: '  ' });
    const kinds = r.problems.map((p) => `${p.kind}:${p.token}`);
    expect(kinds).toEqual(['unknown-placeholder:{Name}', 'unfilled-placeholder:{company}', 'unfilled-placeholder:{name}', 'stray-brace:}', 'stray-brace:{']);
    expect(r.problems[0]?.message).toContain('did you mean {name}?');
    expect(scanScript('{back date} {foo}').problems.map((p) => p.message)).toEqual([
      expect.stringContaining('did you mean {back_date}?'),
      expect.stringMatching(/^\{foo\} is not a placeholder: use \{name\}/),
    ]);
  });

  it('cleans values (no control characters) and leaves a non-ISO return date as written', () => {
    const r = fillScript('{name}: {back_date}', { name: 'Ana\n\tLima', back_date: 'next Monday' });
    expect(r.script).toBe('Ana Lima: next Monday');
    expect(backDateWords('2025-02-30')).toBe('2025-02-30');
    expect(spokenDigits('ext 07, 3200 or 5')).toBe('ext 0 7, 3 2 0 0 or 5');
  });
});
