// The content components in jsdom over the fake window.vmgs: templates (list, edit, import conflict → replace),
// the teleprompter (large while recording, script kept with the take), the clean-up panel (suggestion applied,
// toggles saved, re-preview asked), and the personalised batch (preview table, run, queued summary).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import type { SourceInfo } from '../../main/ipc/channels.js';
import type { CleanupState, TemplateInfo } from '../../main/ipc/channels/content.js';
import { setApi } from '../../renderer/src/lib/api.js';
import { prompter } from '../../renderer/src/lib/prompter.svelte.js';
import CleanupPanel from '../../renderer/src/components/content/CleanupPanel.svelte';
import PersonalBatch from '../../renderer/src/components/content/PersonalBatch.svelte';
import Teleprompter from '../../renderer/src/components/content/Teleprompter.svelte';
import TemplatesPanel from '../../renderer/src/components/content/TemplatesPanel.svelte';
import { FakeApi } from './fake-api.js';

const T = (name: string, title: string, text: string, kind: TemplateInfo['kind'] = 'built-in'): TemplateInfo => ({ name, title, text, kind, placeholders: [], updatedAt: null });
const source: SourceInfo = { sourceId: 'd1', draftId: 'd1', name: 'Recording', origin: 'recording', durationSec: 3, codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: 1000 };

let fake: FakeApi;
let templates: TemplateInfo[];
beforeEach(() => {
  fake = new FakeApi();
  templates = [T('away', 'Away from the desk', 'Hi, {name} here.'), T('mine', 'Mine', 'Mine, {company}.', 'custom')];
  fake.handle('listTemplates', () => templates);
  fake.handle('fillTemplate', ({ text, values }) => {
    const script = text.replace('{name}', values.name || '{name}').replace('{company}', values.company || '{company}');
    return { script, used: [], problems: script.includes('{') ? ['{name} has no value'] : [] };
  });
  fake.handle('saveTemplate', ({ name, title, text }) => {
    const t = T(name, title, text, 'custom');
    templates = [...templates.filter((x) => x.name !== name), t];
    return t;
  });
  fake.handle('removeTemplate', ({ name }) => {
    templates = templates.filter((x) => x.name !== name);
    return { name, result: 'removed' };
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  prompter.clear();
  setApi(undefined);
});

describe('TemplatesPanel', () => {
  it('fills the chosen template with the values, sets the teleprompter and goes to record', async () => {
    const onRecord = vi.fn();
    const user = userEvent.setup();
    render(TemplatesPanel, { props: { values: { name: 'Ana' }, onRecord, onSpeak: vi.fn() } });
    await waitFor(() => expect(screen.getByTestId('template-filled')).toHaveTextContent('Hi, Ana here.'));
    await user.click(screen.getByTestId('template-record'));
    expect(prompter.script).toBe('Hi, Ana here.');
    expect(onRecord).toHaveBeenCalled();
  });

  it('shows unfilled placeholders and refuses text-to-speech until they are filled', async () => {
    render(TemplatesPanel, { props: { values: {}, onRecord: vi.fn(), onSpeak: vi.fn() } });
    await waitFor(() => expect(screen.getByTestId('template-problems')).toHaveTextContent('{name} has no value'));
    expect(screen.getByTestId('template-speak')).toBeDisabled();
  });

  it('adds a template through the form; a refused one shows the reason', async () => {
    const user = userEvent.setup();
    render(TemplatesPanel, { props: { values: {}, onRecord: vi.fn(), onSpeak: vi.fn() } });
    await screen.findByTestId('template-away');
    await user.click(screen.getByTestId('template-add'));
    await user.type(screen.getByTestId('template-name'), 'lunch');
    await user.type(screen.getByTestId('template-title'), 'Lunch');
    await user.click(screen.getByTestId('template-save'));
    await screen.findByTestId('template-lunch');
    expect(fake.callsOf('saveTemplate')[0]).toMatchObject({ name: 'lunch', title: 'Lunch', replace: false });
    fake.fail('saveTemplate', { code: 'TEMPLATE_EXISTS', kind: 'input', message: 'A template named "lunch" exists already.' });
    await user.click(screen.getByTestId('template-add'));
    await user.type(screen.getByTestId('template-name'), 'lunch');
    await user.type(screen.getByTestId('template-title'), 'Again');
    await user.click(screen.getByTestId('template-save'));
    expect(await screen.findByTestId('error-message')).toHaveTextContent('exists already');
  });

  it('an import that would change templates offers to replace them, then imports with replace', async () => {
    fake.fail('importTemplatesText', { code: 'TEMPLATE_IMPORT_CONFLICT', kind: 'input', message: 'mine.json would change templates that exist here (away).' });
    const user = userEvent.setup();
    render(TemplatesPanel, { props: { values: {}, onRecord: vi.fn(), onSpeak: vi.fn() } });
    await screen.findByTestId('template-away');
    const file = new File(['{"format":"vm-greeting-studio/templates"}'], 'mine.json', { type: 'application/json' });
    await user.upload(screen.getByTestId('templates-import-file'), file);
    await screen.findByTestId('templates-import-replace');
    fake.handle('importTemplatesText', ({ fileName }) => ({ file: fileName, added: [], replaced: ['away'], unchanged: [] }));
    await user.click(screen.getByTestId('templates-import-replace'));
    await waitFor(() => expect(screen.getByTestId('templates-notice')).toHaveTextContent('Imported mine.json: 1 replaced'));
    expect(fake.callsOf('importTemplatesText').at(-1)).toMatchObject({ fileName: 'mine.json', replace: true });
  });
});

describe('Teleprompter', () => {
  it('is large while recording and keeps the script with the finished take', async () => {
    prompter.set('Hello, this is Ana.', 'Away');
    const { rerender } = render(Teleprompter, { props: { phase: 'idle', source: null } });
    expect(screen.getByTestId('teleprompter')).toHaveAttribute('data-live', 'false');
    await rerender({ phase: 'recording', source: null });
    expect(screen.getByTestId('teleprompter')).toHaveAttribute('data-live', 'true');
    expect(screen.getByTestId('teleprompter-text')).toHaveTextContent('Hello, this is Ana.');
    await rerender({ phase: 'done', source });
    await waitFor(() => expect(fake.callsOf('saveDraft')).toEqual([{ draftId: 'd1', script: 'Hello, this is Ana.' }]));
    expect(await screen.findByTestId('teleprompter-kept')).toHaveTextContent('kept with this recording');
  });

  it('shows nothing without a script', () => {
    render(Teleprompter, { props: { phase: 'recording', source: null } });
    expect(screen.queryByTestId('teleprompter')).toBeNull();
  });
});

describe('CleanupPanel', () => {
  it('shows the suggestion with a one-click apply that saves the toggle and asks for a new preview', async () => {
    let st: CleanupState = { denoise: false, level: false, suggestions: [{ code: 'DENOISE', message: 'background noise at -42 dBFS' }], noiseFloorDbfs: -42 };
    fake.handle('cleanupState', () => st);
    fake.handle('setCleanup', ({ denoise, level }) => (st = { ...st, denoise: denoise ?? st.denoise, level: level ?? st.level }));
    const onChange = vi.fn();
    const user = userEvent.setup();
    render(CleanupPanel, { props: { draftId: 'd1', onChange } });
    await user.click(await screen.findByTestId('apply-denoise'));
    await waitFor(() => expect(screen.getByTestId('cleanup')).toHaveAttribute('data-denoise', 'on'));
    expect(fake.callsOf('setCleanup')).toEqual([{ draftId: 'd1', denoise: true }]);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('apply-denoise')).toBeNull();
    expect(screen.getByTestId('cleanup-denoise')).toBeChecked();
    await user.click(screen.getByTestId('cleanup-level'));
    await waitFor(() => expect(screen.getByTestId('cleanup')).toHaveAttribute('data-level', 'on'));
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('A/B is off until a clean-up is on', async () => {
    fake.handle('cleanupState', () => ({ denoise: false, level: false, suggestions: [], noiseFloorDbfs: -70 }));
    render(CleanupPanel, { props: { draftId: 'd1' } });
    await waitFor(() => expect(screen.getByTestId('cleanup-play-with')).toBeDisabled());
    expect(screen.getByTestId('cleanup-status')).toHaveTextContent('Turn one on to compare');
  });
});

describe('PersonalBatch', () => {
  it('previews what each extension will say, then makes and queues them with progress', async () => {
    fake.handle('ttsEngines', () => [{ id: 'espeak-ng', label: 'eSpeak NG', available: true, reason: null, version: '1.51', voices: [], maxChars: 4000, licence: 'GPL-3.0' }]);
    fake.handle('planPersonalBatch', () => ({
      greetingName: 'away', fileName: 'away.wav', directory: { source: 'live', fetchedAt: null, size: 30 }, ready: 2, rejected: 1,
      rows: [
        { ext: '1001', name: 'Person 1', script: 'Hi, Person 1 here.', problems: [] },
        { ext: '1002', name: 'Person 2', script: 'Hi, Person 2 here.', problems: [] },
        { ext: '9999', name: null, script: null, problems: ['Extension 9999 does not exist on this PBX.'] },
      ],
    }));
    let resolveRun: () => void = () => undefined;
    fake.handle('runPersonalBatch', async ({ operationId }) => {
      fake.emit('progress', { operationId, percent: 50, stage: '1/2' });
      await new Promise<void>((r) => (resolveRun = r));
      return { created: [{ ext: '1001', draftId: 'a', script: 'x' }, { ext: '1002', draftId: 'b', script: 'y' }], failed: [], cancelled: false, itemIds: ['q1', 'q2'], warnings: [] };
    });
    const onQueued = vi.fn();
    const user = userEvent.setup();
    render(PersonalBatch, { props: { templates, values: { company: 'Acme' }, online: true, onQueued } });
    await user.type(screen.getByTestId('batch-spec'), '1001-1002, 9999');
    await waitFor(() => expect(screen.getByTestId('batch-preview')).toBeEnabled());
    await user.click(screen.getByTestId('batch-preview'));
    const table = await screen.findByTestId('batch-plan');
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(table).toHaveTextContent('Extension 9999 does not exist');
    expect(fake.callsOf('planPersonalBatch')[0]).toMatchObject({ template: 'away', spec: '1001-1002, 9999', values: { company: 'Acme' }, engine: 'espeak-ng' });
    await user.click(screen.getByTestId('batch-run'));
    await waitFor(() => expect(screen.getByTestId('batch-progress')).toHaveAttribute('value', '50'));
    resolveRun();
    expect(await screen.findByTestId('batch-result')).toHaveTextContent('2 drafts made, 2 queued to the Outbox');
    expect(onQueued).toHaveBeenCalledWith('2 personal greetings queued to the Outbox.');
  });
});
