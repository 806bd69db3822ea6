import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, cleanup, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import ExtensionPicker from '../../renderer/src/components/ExtensionPicker.svelte';
import { FakeApi, makeExtensions } from './fake-api.js';

let fake: FakeApi;
beforeEach(() => {
  fake = new FakeApi();
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

const options = () => within(screen.getByRole('listbox', { name: 'Extensions' })).queryAllByRole('option');

describe('ExtensionPicker', () => {
  it('says so when nothing matches, and the hint goes away with a match', async () => {
    const user = userEvent.setup();
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    await waitFor(() => expect(options().length).toBeGreaterThan(0));
    expect(screen.queryByTestId('extension-empty')).toBeNull();
    await user.type(screen.getByRole('combobox', { name: 'Search extensions' }), 'nobody');
    expect(await screen.findByTestId('extension-empty')).toHaveTextContent('No extension matches “nobody”.');
    await user.clear(screen.getByRole('combobox', { name: 'Search extensions' }));
    await user.type(screen.getByRole('combobox', { name: 'Search extensions' }), '1003');
    await waitFor(() => expect(options().map((o) => o.getAttribute('data-number'))).toEqual(['1003']));
    expect(screen.queryByTestId('extension-empty')).toBeNull();
  });

  it('starts with the cursor in the search box (typing picks right away), unless told not to', async () => {
    const user = userEvent.setup();
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    const search = screen.getByRole('combobox', { name: 'Search extensions' });
    expect(search).toHaveFocus();
    await user.keyboard('1029');
    await waitFor(() => expect(screen.getByTestId('extension-count')).toHaveTextContent('1 extension match “1029”'));
    cleanup();
    render(ExtensionPicker, { props: { debounceMs: 20, autofocus: false } });
    expect(screen.getByRole('combobox', { name: 'Search extensions' })).not.toHaveFocus();
  });

  it('lists extensions with number, name, presence and online state', async () => {
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    await waitFor(() => expect(screen.getByTestId('extension-count')).toHaveTextContent('30 extensions'));
    const first = options()[0]!;
    expect(first).toHaveTextContent('1000');
    expect(first).toHaveTextContent('Person 0');
    expect(first).toHaveTextContent('Away');
    expect(first).toHaveTextContent('online');
    expect(options()[1]).toHaveTextContent('offline');
  });

  it('searches as you type, debounced (one request for a burst of keys)', async () => {
    const user = userEvent.setup();
    render(ExtensionPicker, { props: { debounceMs: 60 } });
    await waitFor(() => expect(options().length).toBeGreaterThan(0));
    const before = fake.callsOf('searchExtensions').length;
    await user.type(screen.getByRole('combobox', { name: 'Search extensions' }), 'son 2');
    await waitFor(() =>
      expect(options().map((o) => o.getAttribute('data-number'))).toEqual(['1002', '1020', '1021', '1022', '1023', '1024', '1025', '1026', '1027', '1028', '1029']),
    );
    expect(screen.getByTestId('extension-count')).toHaveTextContent('11 extensions match “son 2”');
    const searches = fake.callsOf('searchExtensions').slice(before);
    expect(searches.map((s) => s.query)).toEqual(['son 2']);
  });

  it('keyboard: arrows move aria-activedescendant, Enter toggles selection (multi-select)', async () => {
    const user = userEvent.setup();
    const { component } = render(ExtensionPicker, { props: { debounceMs: 20 } });
    await waitFor(() => expect(options().length).toBeGreaterThan(0));
    const box = screen.getByRole('combobox', { name: 'Search extensions' });
    box.focus();
    expect(box).toHaveAttribute('aria-activedescendant', 'ext-opt-0');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(box).toHaveAttribute('aria-activedescendant', 'ext-opt-2');
    await user.keyboard('{Enter}');
    expect(document.getElementById('ext-opt-2')).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowUp}{Enter}');
    expect(document.getElementById('ext-opt-1')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('group', { name: 'Selected extensions' })).toHaveTextContent('1002');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(document.getElementById('ext-opt-2')).toHaveAttribute('aria-selected', 'false');
    await user.click(screen.getByRole('button', { name: 'Remove 1001' }));
    expect(document.getElementById('ext-opt-1')).toHaveAttribute('aria-selected', 'false');
    expect(component).toBeTruthy();
  });

  it('handles 10,000 extensions with a virtual window and lazy pages', async () => {
    fake.extensions = makeExtensions(10_000);
    const user = userEvent.setup();
    render(ExtensionPicker, { props: { debounceMs: 20, pageSize: 50, rowHeight: 40 } });
    await waitFor(() => expect(screen.getByTestId('extension-count')).toHaveTextContent('10000 extensions'));
    expect(options().length).toBeLessThan(30);
    expect(options()[0]).toHaveAttribute('aria-setsize', '10000');
    expect(fake.callsOf('searchExtensions').map((c) => c.page)).toEqual([1]);
    const box = screen.getByRole('combobox', { name: 'Search extensions' });
    box.focus();
    await user.keyboard('{Control>}{End}{/Control}');
    expect(box).toHaveAttribute('aria-activedescendant', 'ext-opt-9999');
    await waitFor(() => expect(document.getElementById('ext-opt-9999')).toHaveTextContent('10999'));
    expect(fake.callsOf('searchExtensions').map((c) => c.page)).toContain(200);
    expect(fake.callsOf('searchExtensions').length).toBeLessThan(6);
    expect(options().length).toBeLessThan(30);
    // type part of a name far down the list
    await user.clear(box);
    await user.type(box, 'zoe');
    await waitFor(() => expect(options().map((o) => o.getAttribute('data-number'))).toEqual(['5242']));
  });

  it('shows a typed error when the search fails', async () => {
    fake.fail('searchExtensions', { code: 'PBX_TIMEOUT', kind: 'network', message: 'The PBX did not answer within 30 s.' });
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The PBX did not answer in time');
    expect(alert).toHaveTextContent('within 30 s');
  });

  it('offline: says how old the cached directory is', async () => {
    const plain = fake.handlerOf('searchExtensions');
    const fetchedAt = new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString();
    fake.handle('searchExtensions', async (r) => ({ ...(await plain(r)), source: 'cache', fetchedAt }));
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    const note = await screen.findByTestId('directory-age');
    expect(note).toHaveTextContent(/^Offline: directory from .+, 3 days old\.$/);
    await waitFor(() => expect(options().length).toBeGreaterThan(0));
  });

  it('takes typed extension numbers (also without any directory) and refuses non-numbers', async () => {
    fake.fail('searchExtensions', { code: 'NOT_CONNECTED', kind: 'usage', message: 'Not connected.' });
    const user = userEvent.setup();
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    expect(await screen.findByTestId('directory-unavailable')).toHaveTextContent('type the numbers below');
    expect(screen.queryByRole('alert')).toBeNull();
    const input = screen.getByLabelText('Add by number');
    await user.type(input, '3201, 3202 3201{Enter}');
    expect(screen.getByRole('button', { name: 'Remove 3201' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove 3202' })).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^Remove / })).toHaveLength(2);
    await user.type(input, '32a1{Enter}');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('"32a1" is not a valid extension list: use extension numbers (digits) or ranges like 3200-3299.')).toBeInTheDocument();
  });

  it('select all selects every extension of the current filter (presence and search), across pages', async () => {
    fake.extensions = makeExtensions(250);
    const user = userEvent.setup();
    const r = render(ExtensionPicker, { props: { debounceMs: 20 } });
    await waitFor(() => expect(screen.getByTestId('extension-count')).toHaveTextContent('250 extensions'));
    await user.selectOptions(screen.getByLabelText('Presence'), 'away');
    // makeExtensions: every third is away -> 84 of 250
    await waitFor(() => expect(screen.getByTestId('extension-count')).toHaveTextContent('84 extensions (Away)'));
    expect(options().every((o) => o.textContent?.includes('Away'))).toBe(true);
    await user.click(screen.getByTestId('select-all'));
    await waitFor(() => expect(screen.getByTestId('selected-summary')).toHaveTextContent('84 selected'));
    // The chips of a large selection are collapsed: one line, "show" opens them in their own scrolling box.
    expect(screen.queryAllByTestId('chip')).toHaveLength(0);
    await user.click(screen.getByTestId('selected-toggle'));
    expect(screen.getAllByTestId('chip')).toHaveLength(84);
    expect(screen.getByTestId('selected-toggle')).toHaveAttribute('aria-expanded', 'true');
    r.unmount();
  });

  it('select all of a search: only the matches', async () => {
    const user = userEvent.setup();
    let selected: { number: string }[] = [];
    render(ExtensionPicker, { props: { debounceMs: 20, get selected() { return selected as never; }, set selected(v) { selected = v; } } });
    await user.type(screen.getByRole('combobox', { name: 'Search extensions' }), '101');
    await waitFor(() => expect(screen.getByTestId('extension-count')).toHaveTextContent('10 extensions match “101”'));
    expect(screen.getByTestId('select-all')).toHaveTextContent('Select all 10');
    expect(screen.getByRole('button', { name: 'Select all 10' })).toHaveAccessibleDescription('10 extensions match “101”');
    await user.click(screen.getByTestId('select-all'));
    await waitFor(() => expect(selected.map((e) => e.number)).toEqual(['1010', '1011', '1012', '1013', '1014', '1015', '1016', '1017', '1018', '1019']));
  });

  it('ranges typed as 1003-1007 (the CLI rule), names taken from the directory; a backwards range is refused with the CLI message', async () => {
    const user = userEvent.setup();
    let selected: { number: string; callerIdName: string }[] = [];
    render(ExtensionPicker, { props: { debounceMs: 20, get selected() { return selected as never; }, set selected(v) { selected = v; } } });
    await waitFor(() => expect(options().length).toBeGreaterThan(0));
    await user.type(screen.getByLabelText('Add by number'), '1003 - 1005, 1001, 1004{Enter}');
    await waitFor(() => expect(selected.map((e) => e.number)).toEqual(['1003', '1004', '1005', '1001']));
    expect(selected[0]!.callerIdName).toBe('Person 3');
    await user.type(screen.getByLabelText('Add by number'), '3299-3200{Enter}');
    expect(screen.getByText('"3299-3200" is not a valid extension list: the range runs backwards; write 3200-3299.')).toBeInTheDocument();
    expect(selected).toHaveLength(4);
  });

  it('Shift-click selects the rows between the last clicked one and this one', async () => {
    const user = userEvent.setup();
    render(ExtensionPicker, { props: { debounceMs: 20 } });
    await waitFor(() => expect(options().length).toBeGreaterThan(6));
    const row = (n: string) => options().find((o) => o.getAttribute('data-number') === n)!;
    await user.click(row('1002'));
    await user.keyboard('{Shift>}');
    await user.click(row('1006'));
    await user.keyboard('{/Shift}');
    await waitFor(() => expect(options().filter((o) => o.getAttribute('aria-selected') === 'true').map((o) => o.getAttribute('data-number'))).toEqual(['1002', '1003', '1004', '1005', '1006']));
    // Six or fewer: chips one by one, no summary line.
    expect(screen.getAllByTestId('chip')).toHaveLength(5);
    expect(screen.queryByTestId('selected-summary')).toBeNull();
  });
});
