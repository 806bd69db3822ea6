import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import Connect from '../../renderer/src/components/Connect.svelte';
import type { ProfileSummary } from '../../main/ipc/channels.js';
import type { ConnectMemoryView } from '../../main/ipc/channels/connect.js';
import {
  attemptsText, blockedUntilText, canonicalPin, certificateFileHelps, fieldOf, fieldProblems, localClock, technicalCode, tlsTitle, withScheme,
} from '../../renderer/src/lib/connect-words.js';
import { FakeApi } from './fake-api.js';

const FP = 'AB:'.repeat(31) + 'CD';
let fake: FakeApi;
let saved: ProfileSummary[];
let memory: ConnectMemoryView;
const profile = (id: string, over: Partial<ProfileSummary> = {}): ProfileSummary => ({
  id, name: `PBX ${id}`, baseUrl: `https://${id}.example:8088`, clientId: 'cid', tls: { mode: 'system' }, hasSecret: true, secretSessionOnly: false, demo: false, ...over,
});
beforeEach(() => {
  saved = [];
  memory = { lastProfileId: null, logins: {} };
  fake = new FakeApi();
  fake.handle('listProfiles', () => ({ profiles: saved, secretStorage: { available: true, backend: 'memory' } }));
  fake.handle('connectMemory', () => memory);
  fake.handle('addressWarnings', ({ baseUrl }) => ({ warnings: baseUrl.startsWith('http:') ? [`Plain HTTP to ${baseUrl}/: the Client Secret and access tokens travel unencrypted.`] : [] }));
  fake.handle('saveProfile', (p) => {
    const s: ProfileSummary = { id: p.id ?? 'p1', name: p.name, baseUrl: p.baseUrl, clientId: p.clientId, tls: p.tls as ProfileSummary['tls'], hasSecret: true, secretSessionOnly: false, demo: false };
    saved = [...saved.filter((x) => x.id !== s.id), s];
    return s;
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

async function fillForm(user: ReturnType<typeof userEvent.setup>, url = 'https://pbx.example:8088') {
  await user.type(screen.getByLabelText('PBX address'), url);
  await user.type(screen.getByLabelText('Client ID'), 'cid');
  await user.type(screen.getByLabelText('Client Secret'), 'wrong');
}

describe('Connect screen', () => {
  it('"Try the demo PBX" starts the simulator and connects', async () => {
    fake.handle('startDemo', () => ({
      profile: profile('demo', { demo: true, secretSessionOnly: true }),
      connection: { profileId: 'demo', profileName: 'Demo PBX (simulator)', reachable: true, tokenOk: true, extensionCount: 250 },
    }));
    const onConnected = vi.fn();
    const user = userEvent.setup();
    render(Connect, { props: { onConnected } });
    await user.click(screen.getByRole('button', { name: 'Try the demo PBX' }));
    await waitFor(() => expect(onConnected).toHaveBeenCalledWith(expect.objectContaining({ extensionCount: 250 })));
  });

  it('Test connection tests the typed values and saves nothing; an address without scheme gets https://', async () => {
    fake.handle('testProfile', () => ({ extensionCount: 42, warnings: [] }));
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user, 'pbx.example:8088');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByTestId('test-ok')).toHaveTextContent('PBX reachable · token OK · 42 extensions');
    expect(fake.callsOf('testProfile')[0]).toMatchObject({ baseUrl: 'https://pbx.example:8088', clientId: 'cid', clientSecret: 'wrong', tls: { mode: 'system' } });
    expect(fake.callsOf('testProfile')[0]).not.toHaveProperty('id');
    expect(fake.callsOf('saveProfile')).toHaveLength(0);
    expect(screen.getByLabelText('PBX address')).toHaveValue('https://pbx.example:8088');
  });

  it('the last-used profile is preselected and the address field carries the view landing mark', async () => {
    saved = [profile('a'), profile('b')];
    memory = { lastProfileId: 'b', logins: { b: { failures: 2, attemptsLeft: 3, limit: 5, blockedUntil: null } } };
    render(Connect, { props: { onConnected: vi.fn() } });
    await waitFor(() => expect(screen.getByLabelText('PBX address')).toHaveValue('https://b.example:8088'));
    expect(screen.getByLabelText('PBX address')).toHaveAttribute('data-view-heading');
    expect(screen.getByTestId('attempts-note')).toHaveTextContent('2 failed logins in a row: 3 attempts left before the PBX blocks');
  });

  it('wrong secret: title, attempts left from main', async () => {
    fake.fail('testProfile', { code: 'PBX_-1', kind: 'pbx', message: 'The PBX rejected the Client ID or Client Secret. 4 attempts left before the PBX blocks this computer\'s IP address.', detail: { failures: 1, attemptsLeft: 4, limit: 5, blockedUntil: null } });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveAttribute('data-code', 'PBX_-1');
    expect(alert).toHaveTextContent('Wrong Client ID or Client Secret');
    expect(screen.getByTestId('attempts-left')).toHaveAttribute('data-left', '4');
  });

  it('a block shows its end as local time, not a Unix number', async () => {
    const until = new Date(Date.now() + 30 * 60_000);
    fake.fail('testProfile', { code: 'PBX_70004', kind: 'pbx', message: 'The PBX blocks this computer\'s IP address.', detail: { blockedUntil: until.toISOString(), blockExpireTime: Math.floor(until.getTime() / 1000) } });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const title = await screen.findByTestId('error-title');
    expect(title).toHaveTextContent(`This computer is blocked until ${localClock(until)}`);
    expect(screen.getByRole('alert').textContent).not.toMatch(/\d{10}/);
  });

  it('plain HTTP: the core warning is shown for the address and with the test result', async () => {
    fake.handle('testProfile', () => ({ extensionCount: 3, warnings: ['Plain HTTP to http://pbx:80/: the Client Secret and access tokens travel unencrypted.'] }));
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user, 'http://pbx:80');
    expect(await screen.findByTestId('address-warning')).toHaveTextContent('travel unencrypted');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByTestId('test-warning')).toHaveTextContent('travel unencrypted');
  });

  it('TLS problem in words, code in small print; pin after a failed test tests again (still nothing saved)', async () => {
    const message = `The PBX uses a self-signed certificate. Trust it by choosing the PBX's certificate file (PEM), or pin its SHA-256 fingerprint ${FP} after comparing it with the one shown on the PBX.`;
    fake.fail('testProfile', { code: 'PBX_TLS_UNTRUSTED', kind: 'network', message, detail: { fingerprint256: FP, reason: 'DEPTH_ZERO_SELF_SIGNED_CERT', problem: 'self-signed' } });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const alert = await screen.findByRole('alert');
    expect(screen.getByTestId('error-title')).toHaveTextContent('The PBX uses a self-signed certificate');
    expect(screen.getByTestId('error-technical')).toHaveTextContent('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(alert.textContent!.split(FP)).toHaveLength(2); // the fingerprint exactly once
    fake.handle('testProfile', () => ({ extensionCount: 7, warnings: [] }));
    await user.click(screen.getByRole('button', { name: 'Pin this certificate and test' }));
    expect(await screen.findByTestId('test-ok')).toHaveTextContent('7 extensions');
    expect(fake.callsOf('testProfile').at(-1)).toMatchObject({ tls: { mode: 'pin', pinSha256: FP } });
    expect(fake.callsOf('saveProfile')).toHaveLength(0);
    expect(screen.getByTestId('pin-input')).toHaveValue(FP);
  });

  it('pin after a failed Connect saves and connects', async () => {
    fake.fail('connect', { code: 'PBX_TLS_UNTRUSTED', kind: 'network', message: `Self-signed. Fingerprint ${FP}.`, detail: { fingerprint256: FP, reason: 'DEPTH_ZERO_SELF_SIGNED_CERT', problem: 'self-signed' } });
    const onConnected = vi.fn();
    const user = userEvent.setup();
    render(Connect, { props: { onConnected } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    await screen.findByRole('alert');
    fake.handle('connect', ({ id }) => ({ profileId: id, profileName: 'x', reachable: true, tokenOk: true, extensionCount: 9 }));
    await user.click(screen.getByRole('button', { name: 'Pin this certificate and connect' }));
    await waitFor(() => expect(onConnected).toHaveBeenCalledWith(expect.objectContaining({ extensionCount: 9 })));
    expect(fake.callsOf('saveProfile').at(-1)).toMatchObject({ tls: { mode: 'pin', pinSha256: FP } });
  });

  it('a hanging test can be cancelled', async () => {
    let release: (v: unknown) => void = () => undefined;
    fake.handle('testProfile', () => new Promise((r) => (release = r)) as never);
    fake.handle('cancel', ({ operationId }) => {
      release(undefined);
      fake.fail('testProfile', { code: 'CANCELLED', kind: 'cancelled', message: 'Cancelled.' });
      return { cancelled: operationId.startsWith('test-') };
    });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await user.click(await screen.findByRole('button', { name: 'Cancel test' }));
    expect(fake.callsOf('cancel')[0]).toMatchObject({ operationId: fake.callsOf('testProfile')[0]!.operationId });
  });

  it('deleting asks first, with the focus on Cancel', async () => {
    saved = [profile('a')];
    fake.handle('deleteProfile', () => ({ deleted: true }));
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await user.click(await screen.findByRole('button', { name: 'Delete profile…' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete this profile?' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus());
    await user.keyboard('{Enter}');
    expect(dialog).not.toBeInTheDocument();
    expect(fake.callsOf('deleteProfile')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Delete profile…' }));
    await user.click(screen.getByTestId('confirm-delete'));
    await waitFor(() => expect(fake.callsOf('deleteProfile')).toEqual([{ id: 'a' }]));
  });

  it('says what is wrong next to the field, before and from main', async () => {
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(screen.getByTestId('field-error-baseUrl')).toHaveTextContent('Enter the PBX address');
    expect(screen.getByTestId('field-error-clientId')).toHaveTextContent('Enter the Client ID');
    expect(screen.getByLabelText('PBX address')).toHaveAttribute('aria-invalid', 'true');
    fake.fail('saveProfile', { code: 'IPC_BAD_PAYLOAD', kind: 'usage', message: 'PBX address: Enter the PBX address as https://host:port.', detail: { field: 'baseUrl' } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(await screen.findByTestId('field-error-baseUrl')).toHaveTextContent('PBX address: Enter the PBX address as https://host:port.');
    expect(document.body.textContent).not.toContain('saveProfile');
  });

  it('says when the secret cannot be stored encrypted', async () => {
    fake.handle('listProfiles', () => ({ profiles: [], secretStorage: { available: false, backend: 'basic_text', message: 'No system keyring was found; the secret is kept only until you quit.' } }));
    render(Connect, { props: { onConnected: vi.fn() } });
    expect(await screen.findByTestId('secret-storage-note')).toHaveTextContent('kept only until you quit');
  });
});

describe('Connect wording functions', () => {
  it('withScheme adds https:// only when no scheme is typed', () => {
    expect(withScheme('pbx.example.com:8088')).toBe('https://pbx.example.com:8088');
    expect(withScheme('  10.0.0.5 ')).toBe('https://10.0.0.5');
    expect(withScheme('http://pbx:80')).toBe('http://pbx:80');
    expect(withScheme('HTTPS://pbx')).toBe('HTTPS://pbx');
    expect(withScheme('')).toBe('');
  });

  it('localClock and blockedUntilText give local 24-hour time, with the day when not today', () => {
    const now = new Date(2026, 11, 2, 9, 0);
    expect(localClock(new Date(2026, 11, 2, 14, 32), now)).toBe('14:32');
    expect(blockedUntilText(new Date(2026, 11, 2, 14, 32).toISOString(), now)).toBe('blocked until 14:32');
    expect(localClock(new Date(2026, 11, 3, 9, 5), now)).toMatch(/(3.*Dec|Dec.*3).*, 09:05$/);
    expect(blockedUntilText(null)).toBeNull();
    expect(blockedUntilText('not a date')).toBeNull();
  });

  it('attemptsText counts down and names a block', () => {
    const now = new Date(2026, 11, 2, 9, 0);
    expect(attemptsText(undefined)).toBeNull();
    expect(attemptsText({ failures: 0, attemptsLeft: 5, limit: 5, blockedUntil: null })).toBeNull();
    expect(attemptsText({ failures: 1, attemptsLeft: 4, limit: 5, blockedUntil: null })).toBe("1 failed login in a row: 4 attempts left before the PBX blocks this computer's IP address.");
    expect(attemptsText({ failures: 4, attemptsLeft: 1, limit: 5, blockedUntil: null })).toContain('1 attempt left');
    expect(attemptsText({ failures: 5, attemptsLeft: 0, limit: 5, blockedUntil: null })).toContain('blocks this computer');
    expect(attemptsText({ failures: 5, attemptsLeft: 0, limit: 5, blockedUntil: new Date(2026, 11, 2, 9, 30).toISOString() }, now)).toBe('The PBX has this computer blocked until 09:30 after 5 failed logins.');
  });

  it('TLS titles, small print and the certificate-file hint by problem', () => {
    expect(tlsTitle({ problem: 'self-signed' })).toBe('The PBX uses a self-signed certificate');
    expect(tlsTitle({ problem: 'unknown-ca' })).toBe('The certificate comes from an unknown authority');
    expect(tlsTitle({ problem: 'expired' })).toBe('The PBX certificate has expired');
    expect(tlsTitle({ problem: 'wrong-host' })).toBe('The certificate is for another address');
    expect(tlsTitle({ problem: 'fingerprint-mismatch' })).toBe('The certificate does not match the pinned one');
    expect(tlsTitle({})).toBeNull();
    expect(certificateFileHelps({ problem: 'unknown-ca' })).toBe(true);
    expect(certificateFileHelps({ problem: 'wrong-host' })).toBe(false);
    expect(technicalCode({ reason: 'CERT_HAS_EXPIRED' })).toBe('CERT_HAS_EXPIRED');
    expect(technicalCode({ reason: '<script>' })).toBeNull();
  });

  it('fieldProblems and fieldOf name the field', () => {
    const v = { baseUrl: '', clientId: '', clientSecret: '', tlsMode: 'pin' as const, pin: 'xyz', caPem: '' };
    expect(Object.keys(fieldProblems(v, { needSecret: true })).sort()).toEqual(['baseUrl', 'clientId', 'clientSecret', 'pin']);
    expect(fieldProblems({ ...v, baseUrl: 'pbx:8088', clientId: 'c', clientSecret: 's', pin: FP }, { needSecret: true })).toEqual({});
    expect(fieldProblems({ ...v, baseUrl: 'ftp://x', clientId: 'c', tlsMode: 'system' }, { needSecret: false }).baseUrl).toContain('https://');
    expect(fieldOf('tls.pinSha256')).toBe('pin');
    expect(fieldOf('baseUrl')).toBe('baseUrl');
    expect(fieldOf('operationId')).toBeNull();
    expect(canonicalPin(FP.replace(/:/g, ' ').toLowerCase())).toBe(FP);
  });
});
