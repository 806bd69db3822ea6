// The PBX's JSON envelope: HTTP 200, errcode/errmsg decide success.
export type Json = Record<string, unknown>;

export const ERRMSG: Readonly<Record<number, string>> = {
  [-2]: 'INTERNAL SERVER ERROR',
  [-1]: 'FAILURE',
  0: 'SUCCESS',
  10001: 'INTERFACE NOT EXISTED',
  10004: 'TOKEN EXPIRED',
  10005: 'ACCESS DENIED',
  40001: 'PARAMETER SYNTAX ERROR',
  40002: 'PARAMETER ERROR',
  40003: 'DUPLICATE KEY VALUE',
  40004: 'FILE SIZE EXCEEDED',
  60001: 'DATA NOT FOUND',
  60002: 'MAX LIMITATION EXCEEDED',
  70004: 'ACCOUNT IP BLOCKED',
  70087: 'IP FORBIDDEN',
};

export function ok(fields: Json = {}): Json {
  return { errcode: 0, errmsg: 'SUCCESS', ...fields };
}

export function fail(errcode: number, fields: Json = {}): Json {
  return { errcode, errmsg: ERRMSG[errcode] ?? 'FAILURE', ...fields };
}

export function required(...fields: string[]): Json {
  return fail(40002, { invalid_param_list: fields.map((field) => ({ field, validation_type: 'required' })) });
}

export function invalid(field: string, value: string): Json {
  return fail(40002, { invalid_param_list: [{ field, value }] });
}

/** An answer already serialised (large extension lists are concatenated from cached rows instead of re-stringified). */
export class RawJson {
  constructor(readonly bytes: Buffer, readonly errcode: number) {}
}

export type Reply = Json | RawJson;

export function serialise(reply: Reply): Buffer {
  return reply instanceof RawJson ? reply.bytes : Buffer.from(JSON.stringify(reply));
}

export function errcodeOf(reply: Reply): number | undefined {
  if (reply instanceof RawJson) return reply.errcode;
  return typeof reply.errcode === 'number' ? reply.errcode : undefined;
}
