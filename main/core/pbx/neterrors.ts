// Maps Node socket/HTTP errors to typed, actionable errors. Messages name the PBX address but never a URL query.
import { VmgsError } from '../errors.js';
import { PbxNetworkError, PbxSchemeMismatchError, PbxTimeoutError } from './errors.js';
import type { BaseUrl } from './url.js';

const SSL_ON_PLAIN_PORT = /wrong version number|packet length too long|unknown protocol|http request/i;

export function mapSocketError(error: unknown, base: BaseUrl, phase: string): VmgsError {
  if (error instanceof VmgsError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const where = `${base.hostname}:${base.port}`;
  const detail = { host: base.hostname, port: base.port, phase, sysCode: code || undefined };
  switch (code) {
    case 'ECONNREFUSED':
      return new PbxNetworkError('PBX_CONNECTION_REFUSED', `Nothing accepts connections at ${where}. Check the address and port (the PBX web port, by default 8088 for HTTPS) and that the PBX is running.`, { detail });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new PbxNetworkError('PBX_HOST_NOT_FOUND', `The PBX host name "${base.hostname}" could not be resolved. Check the spelling of the address and this computer's DNS/network connection.`, { detail });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return new PbxNetworkError('PBX_UNREACHABLE', `The network path to ${where} is unavailable. Check this computer's network connection, VPN and the PBX address.`, { detail });
    case 'ETIMEDOUT':
      return new PbxTimeoutError(`The PBX at ${where} did not answer in time while ${phase}. Check that the address is reachable from this network (firewall, VPN) and try again.`, detail);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new PbxNetworkError('PBX_CONNECTION_RESET', `The connection to ${where} was cut while ${phase}. Check the network; if it repeats, check that the address is the PBX web port and not another service.`, { detail, cause: err });
    default:
      break;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' || SSL_ON_PLAIN_PORT.test(err.message ?? '')) {
    return new PbxSchemeMismatchError('PBX_HTTPS_TO_HTTP_PORT', `${where} does not speak HTTPS (it looks like a plain HTTP port). Use http:// for this port, or the PBX's HTTPS port (default 8088).`, detail);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return new PbxNetworkError('PBX_NETWORK', `The secure connection to ${where} failed (${code}). Check the address and port.`, { detail });
  }
  if (err.message === 'socket hang up') {
    return new PbxNetworkError('PBX_CONNECTION_RESET', `The connection to ${where} was closed before the PBX answered. Check the address and port, and whether the port needs https://.`, { detail });
  }
  return new PbxNetworkError('PBX_NETWORK', `Network error talking to ${where}${code ? ` (${code})` : ''}. Check the network connection and the PBX address.`, { detail });
}
