import type { ErasureRequest } from "@/lib/contracts/data";

/** The erasure form's fields as typed. */
export type ErasureDraft = {
  threadId: string;
  sessionId: string;
  companyId: string;
  identifyType: string;
  identifyValue: string;
  agent: string;
};
export const EMPTY_ERASURE: ErasureDraft = {
  threadId: "",
  sessionId: "",
  companyId: "",
  identifyType: "",
  identifyValue: "",
  agent: "",
};

/** The erasure request a form draft stands for (blank fields left out); null when it names nothing. */
export function erasureRequest(d: ErasureDraft): ErasureRequest | null {
  const t = (s: string) => s.trim() || undefined;
  const req: ErasureRequest = {
    threadId: t(d.threadId),
    sessionId: t(d.sessionId),
    companyId: t(d.companyId),
    identify: t(d.identifyValue) ? { type: t(d.identifyType) ?? "email", value: d.identifyValue.trim() } : undefined,
    agent: t(d.agent),
  };
  const named = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined)) as ErasureRequest;
  return named.threadId || named.sessionId || named.companyId || named.identify ? named : null;
}
