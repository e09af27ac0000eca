import { z } from "zod";

export const ZEmail = z.string().trim().toLowerCase().email("Enter a valid email address.").max(254);
export const ZPassword = z.string().min(10, "Use at least 10 characters.").max(256);
export const ZName = z.string().trim().min(1, "Required.").max(120);
export const ZRole = z.enum(["owner", "admin", "operator", "reviewer", "viewer"]);

/** Cursor pagination of API.md: ?limit (default 50, max 200) and ?cursor. */
export const ZPage = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export type ApiErrorBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };
