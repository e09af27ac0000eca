import type { Metadata } from "next";
import { AccountPanel } from "@/components/settings/account-panel";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const ctx = await requirePortalContext();
  return <AccountPanel email={ctx.user.email} />;
}
