import type { Metadata } from "next";
import { MembersPanel } from "@/components/settings/members-panel";
import { requirePortalContext } from "../../../_lib/session";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const ctx = await requirePortalContext();
  return <MembersPanel canManage={ctx.can("members.manage")} myRole={ctx.workspace!.role} />;
}
