// zod schemas of the PBX's JSON answers. Objects are not strict: unknown extra fields are tolerated (and dropped).
import { z } from 'zod';

const str = z.union([z.string(), z.number()]).transform((v) => String(v));

export const envelopeSchema = z.object({
  errcode: z.number().int(),
  errmsg: z.string().optional(),
  submsg: z.unknown().optional(),
  invalid_param_list: z.array(z.object({ field: z.unknown().optional() })).optional().catch(undefined),
  block_expire_time: z.union([z.number(), z.string()]).optional().catch(undefined),
});
export type ApiEnvelope = z.infer<typeof envelopeSchema>;

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  access_token_expire_time: z.coerce.number().positive(),
  refresh_token: z.string().min(1),
  refresh_token_expire_time: z.coerce.number().positive(),
});
export type TokenAnswer = z.infer<typeof tokenSchema>;

const onlineStatusSchema = z.object({
  status: z.coerce.number().optional().catch(undefined),
  status_list: z.array(z.object({ status: z.coerce.number().optional().catch(undefined) })).optional().catch(undefined),
});

export const extensionSchema = z.object({
  id: z.coerce.number().int(),
  number: str,
  caller_id_name: z.string().optional().catch(undefined),
  email_addr: z.string().optional().catch(undefined),
  presence_status: z.string().optional().catch(undefined),
  online_status: z.record(z.string(), onlineStatusSchema.nullable().catch(null)).optional().catch(undefined),
});
export type ExtensionRecord = z.infer<typeof extensionSchema>;

export const extensionListSchema = z.object({
  total_number: z.coerce.number().int().nonnegative(),
  data: z.array(extensionSchema).optional().default([]),
});

export const greetingSchema = z.object({
  id: z.coerce.number().int(),
  file: str,
  real_filename: str,
  suffix: z.string().optional().default(''),
  type: z.string().optional().default(''),
});

export const greetingListSchema = z.object({
  total_number: z.coerce.number().int().nonnegative().optional(),
  greeting_list: z.array(greetingSchema).optional().default([]),
});

export const uploadAnswerSchema = z.object({
  owner: str.optional(),
  exist_type: z.string().optional(),
});

export const downloadAnswerSchema = z.object({
  download_resource_url: z.string().min(1),
});

export const ttsCreateAnswerSchema = z.object({
  id: z.coerce.number().int().optional().catch(undefined),
  status: z.string().optional(),
  request_id: str.optional(),
});
