/** The `http` section of the flash: AT+QHTTPCFG's settings, "saved automatically" (§2.6.1). */
import { z } from 'zod';
import type { HttpSettings } from './types.ts';

export const HttpFlash: z.ZodType<HttpSettings> = z.object({
  url: z.string().default(''),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
  auth: z.object({ username: z.string(), password: z.string() }).nullable().default(null),
  output: z.union([z.literal(0), z.literal(1)]).default(0),
  responseHeader: z.union([z.literal(0), z.literal(1)]).default(0),
  sslCtx: z.number().int().min(0).max(5).default(0),
}) as unknown as z.ZodType<HttpSettings>;
