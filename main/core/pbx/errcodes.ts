// Maps every errcode of the spec's error table (section 5) to a message telling an administrator what to do.
// The same code can mean different things per endpoint (60002 on get_token = token cap, on upload = greeting cap).
import { PBX_ERRCODES, PbxApiError } from './errors.js';
import type { ApiEnvelope } from './schemas.js';

/** The PBX's own text per errcode (from PBX_ERRCODES, which also says whether waiting can change the answer). */
export const ERRMSG: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(PBX_ERRCODES).map(([code, e]) => [Number(code), e.errmsg]));

export type Endpoint = string;
const isAuth = (e: Endpoint): boolean => e === 'get_token' || e === 'refresh_token';
const isGreeting = (e: Endpoint): boolean => e.startsWith('extension_vm_greeting/');

/** Only field names are kept: values may echo user input. */
function invalidFields(env: ApiEnvelope): string[] {
  const list = env.invalid_param_list ?? [];
  return list.map((p) => (typeof p.field === 'string' ? p.field : '')).filter((f) => f !== '' && f !== 'username or password');
}

function adviceFor(errcode: number, endpoint: Endpoint, env: ApiEnvelope): string {
  const fields = invalidFields(env);
  const fieldText = fields.length > 0 ? ` (field${fields.length > 1 ? 's' : ''}: ${fields.join(', ')})` : '';
  switch (errcode) {
    case -2:
      return 'The PBX reported an internal error. Try again in a minute; if it persists, check the PBX system logs or restart the PBX service.';
    case -1:
      if (endpoint === 'get_token') {
        return 'The PBX rejected the Client ID or Client Secret. Check both under Integrations > API on the PBX web portal (copy them again, no spaces). The client will not retry: after 5 failed logins the PBX blocks this computer\'s IP.';
      }
      if (endpoint === 'refresh_token') return 'The PBX refused to renew the session. Sign in again.';
      return `The PBX reported a failure for ${endpoint}${fieldText}. Check the values and try again.`;
    case 1:
      return `The PBX completed ${endpoint} only partly. Check the result on the PBX web portal.`;
    case 2:
      return `The PBX is still processing ${endpoint}. Wait a moment and check the result again.`;
    case 10001:
      return `The PBX does not offer the API call ${endpoint}. Update the PBX firmware (voicemail greeting calls need a recent P-Series firmware) and check that the address points to a Yeastar P-Series PBX.`;
    case 10002:
    case 10003:
      return 'The PBX does not support API version v1.0 used by this app. Update the PBX firmware or this app.';
    case 10004:
      return 'The PBX session (access token) expired or was revoked, and renewing it failed. Sign in again; if this repeats, check the PBX clock and that no other tool revokes this application\'s tokens.';
    case 10005:
      return `The API application lacks permission for ${endpoint}. On the PBX web portal open Integrations > API and grant the application access to extensions and voicemail greetings, then try again.`;
    case 40001:
      return `The PBX could not parse a parameter of ${endpoint}${fieldText}. Check the extension number and file name.`;
    case 40002:
      if (isGreeting(endpoint)) {
        return `The PBX rejected a parameter of ${endpoint}${fieldText}. Greeting files must be .wav, .mp3 or .gsm with a plain name (letters, digits, _ and -).`;
      }
      return `The PBX rejected a parameter of ${endpoint}${fieldText}. Check the values you entered.`;
    case 40003:
      return `An item with the same name already exists on the PBX${fieldText}. Choose another name or overwrite it explicitly.`;
    case 40004:
      return 'The file is too large for the PBX: greetings must not exceed 8 MB. Use a compressed format (G.711 or GSM) or shorten the recording.';
    case 60001:
      if (endpoint === 'extension_vm_greeting/upload' || endpoint === 'extension_vm_greeting/list') {
        return 'The PBX has no extension with that number. Pick the extension from the list and try again.';
      }
      if (isGreeting(endpoint)) return 'That greeting does not exist on the PBX (anymore). Refresh the greeting list.';
      return `The PBX could not find the item requested by ${endpoint}. Refresh the list and try again.`;
    case 60002:
      if (isAuth(endpoint)) {
        return 'The API application already has 8 tokens in use (the PBX limit), probably held by other tools or sessions using the same Client ID. Sign out of them, wait up to 30 minutes for their tokens to expire, or create a separate API application under Integrations > API.';
      }
      if (isGreeting(endpoint)) return 'This extension has reached the PBX limit for voicemail greetings. Delete an old greeting first.';
      return 'A PBX quantity limit was reached. Remove unused items and try again.';
    case 60101:
      return 'The PBX reports that the referenced role does not exist. Check the user roles on the PBX.';
    case 70004: {
      const until = typeof env.block_expire_time === 'number' || typeof env.block_expire_time === 'string' ? ` (block ends: ${String(env.block_expire_time)})` : '';
      return `This computer's IP address is blocked by the PBX after failed logins${until}. An administrator can unblock it under Security > Security Rules > Blocked IPs; then check the Client ID and Secret under Integrations > API before trying again.`;
    }
    case 70082:
      return 'The PBX is busy with a heavy task (backup, upgrade or import). Try again in a few minutes.';
    case 70084:
      return `The PBX does not allow ${endpoint} right now. Check the item's state on the PBX web portal.`;
    case 70087:
      return 'The PBX does not accept API calls from this computer\'s IP address. Add it to the allowed IP list of the API application under Integrations > API.';
    case 70091:
      return 'The greeting is still in use (selected for the extension or a presence status). Choose another greeting for the extension on the PBX first, then delete it.';
    case 70093:
      return 'The PBX reports that the phonebook does not exist.';
    case 70106:
      return 'The PBX reports that the rate does not exist.';
    case 70120:
      return 'The PBX organization is disabled. Ask the PBX provider to enable it.';
    default:
      return `The PBX refused ${endpoint} with error ${errcode}${env.errmsg ? ` (${env.errmsg})` : ''}. Check the PBX web portal and try again.`;
  }
}

/** Builds the typed error for a non-zero errcode answer of `endpoint`. */
export function apiErrorFor(endpoint: Endpoint, env: ApiEnvelope): PbxApiError {
  const errcode = env.errcode;
  const errmsg = typeof env.errmsg === 'string' ? env.errmsg.slice(0, 200) : ERRMSG[errcode];
  const detail: Record<string, unknown> = { errmsg };
  const fields = invalidFields(env);
  if (fields.length > 0) detail.invalidFields = fields;
  if (env.block_expire_time !== undefined) detail.blockExpireTime = env.block_expire_time;
  if (typeof env.submsg === 'string') detail.submsg = env.submsg.slice(0, 300);
  return new PbxApiError(errcode, endpoint, `${adviceFor(errcode, endpoint, env)} [PBX error ${errcode}${errmsg ? ` ${errmsg}` : ''}]`, detail);
}
