import type { Metadata } from "next";
import { ApiKeysPanel } from "@/components/settings/api-keys-panel";
import { Alert } from "@/components/ui/card";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const ctx = await requirePortalContext();
  if (!ctx.can("apiKeys.manage")) return <Alert>Only owners and admins can manage API keys.</Alert>;
  return <ApiKeysPanel />;
}
