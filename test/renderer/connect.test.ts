import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import Connect from '../../renderer/src/components/Connect.svelte';
import type { ProfileSummary } from '../../main/ipc/channels.js';
import { FakeApi } from './fake-api.js';

const FP = 'AB:'.repeat(31) + 'CD';
let fake: FakeApi;
let saved: ProfileSummary[];
beforeEach(() => {
  saved = [];
  fake = new FakeApi();
  fake.handle('listProfiles', () => ({ profiles: saved, secretStorage: { available: true, backend: 'memory' } }));
  fake.handle('saveProfile', (p) => {
    const s: ProfileSummary = { id: p.id ?? 'p1', name: p.name, baseUrl: p.baseUrl, clientId: p.clientId, tls: p.tls as ProfileSummary['tls'], hasSecret: true, secretSessionOnly: false, demo: false };
    saved = [s];
    return s;
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

async function fillForm(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('PBX address'), 'https://pbx.example:8088');
  await user.type(screen.getByLabelText('Client ID'), 'cid');
  await user.type(screen.getByLabelText('Client Secret'), 'wrong');
}

describe('Connect and error rendering', () => {
  it('"Try the demo PBX" starts the simulator and connects', async () => {
    fake.handle('startDemo', () => ({
      profile: { id: 'demo', name: 'Demo PBX (simulator)', baseUrl: 'https://127.0.0.1:1', clientId: 'x', tls: { mode: 'system' }, hasSecret: true, secretSessionOnly: true, demo: true },
      connection: { profileId: 'demo', profileName: 'Demo PBX (simulator)', reachable: true, tokenOk: true, extensionCount: 250 },
    }));
    const onConnected = vi.fn();
    const user = userEvent.setup();
    render(Connect, { props: { onConnected } });
    await user.click(screen.getByRole('button', { name: 'Try the demo PBX' }));
    await waitFor(() => expect(onConnected).toHaveBeenCalledWith(expect.objectContaining({ extensionCount: 250 })));
  });

  it('Test connection shows reachable, token OK and the extension count', async () => {
    fake.handle('testConnection', ({ id }) => ({ profileId: id, profileName: 'x', reachable: true, tokenOk: true, extensionCount: 42 }));
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('PBX reachable · token OK · 42 extensions')).toBeInTheDocument();
    expect(fake.callsOf('saveProfile')[0]).toMatchObject({ baseUrl: 'https://pbx.example:8088', clientId: 'cid', clientSecret: 'wrong', tls: { mode: 'system' } });
  });

  it('wrong secret: shows the right title and the client message', async () => {
    fake.fail('connect', { code: 'PBX_-1', kind: 'pbx', message: 'The PBX rejected the Client ID or Client Secret. Check both under Integrations > API.' });
    const user = userEvent.setup();
    const onConnected = vi.fn();
    render(Connect, { props: { onConnected } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveAttribute('data-code', 'PBX_-1');
    expect(alert).toHaveTextContent('Wrong Client ID or Client Secret');
    expect(alert).toHaveTextContent('Integrations > API');
    expect(onConnected).not.toHaveBeenCalled();
  });

  it('IP blocked is named as such', async () => {
    fake.fail('testConnection', { code: 'PBX_70004', kind: 'pbx', message: "This computer's IP address is blocked by the PBX after failed logins." });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This computer is blocked by the PBX');
  });

  it('TLS mismatch offers the fingerprint (printed once); pinning saves it and tests again', async () => {
    const message = `The PBX certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). Trust it by choosing its CA file, or pin its SHA-256 fingerprint ${FP} after comparing it with the one shown on the PBX.`;
    fake.fail('testConnection', { code: 'PBX_TLS_UNTRUSTED', kind: 'network', message, detail: { fingerprint256: FP } });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Untrusted certificate');
    expect(screen.getByTestId('tls-fingerprint')).toHaveTextContent(FP);
    expect(alert.textContent!.split(FP)).toHaveLength(2); // exactly once
    expect(alert).toHaveTextContent('pin its SHA-256 fingerprint (shown below) after comparing it');
    fake.handle('testConnection', ({ id }) => ({ profileId: id, profileName: 'x', reachable: true, tokenOk: true, extensionCount: 7 }));
    await user.click(screen.getByRole('button', { name: 'Pin this certificate' }));
    expect(await screen.findByText('PBX reachable · token OK · 7 extensions')).toBeInTheDocument();
    expect(fake.callsOf('saveProfile').at(-1)).toMatchObject({ tls: { mode: 'pin', pinSha256: FP } });
    // The whole fingerprint stays visible for comparison; a pasted line break does not end up in the pin.
    const field = screen.getByTestId('pin-input');
    expect(field).toHaveValue(FP);
    await user.clear(field);
    await user.type(field, `${FP.slice(0, 40)}{Enter}${FP.slice(40)}`);
    await user.click(screen.getByRole('button', { name: 'Save profile' }));
    await waitFor(() => expect(fake.callsOf('saveProfile').at(-1)).toMatchObject({ tls: { mode: 'pin', pinSha256: FP } }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the secret cannot be stored encrypted', async () => {
    fake.handle('listProfiles', () => ({ profiles: [], secretStorage: { available: false, backend: 'basic_text', message: 'No system keyring was found; the secret is kept only until you quit.' } }));
    render(Connect, { props: { onConnected: vi.fn() } });
    expect(await screen.findByTestId('secret-storage-note')).toHaveTextContent('kept only until you quit');
  });

  it('shows the schema message for an invalid address from main', async () => {
    fake.fail('saveProfile', { code: 'IPC_BAD_PAYLOAD', kind: 'usage', message: 'Invalid request for saveProfile: baseUrl: Enter the PBX address as https://host:port.' });
    const user = userEvent.setup();
    render(Connect, { props: { onConnected: vi.fn() } });
    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Save profile' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Invalid input');
    expect(alert).toHaveTextContent('https://host:port');
  });
});
