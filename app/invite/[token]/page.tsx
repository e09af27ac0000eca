import type { Metadata } from "next";
import { headers } from "next/headers";
import { AcceptInviteForm } from "@/components/auth/accept-invite-form";
import { AuthFrame } from "@/components/auth/auth-frame";
import { getDb } from "@/lib/db";
import { currentUser } from "@/lib/http/guards";
import { describeInvitation } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await describeInvitation(await getDb(), token);
  if (!invite) {
    return (
      <AuthFrame
        title="Invitation not valid"
        subtitle="This link is invalid, was already used, or has expired. Ask an admin for a new one."
      >
        <a href="/login" className="text-sm font-medium text-indigo-600 hover:underline">
          Go to sign in
        </a>
      </AuthFrame>
    );
  }
  const user = await currentUser(await headers());
  return (
    <AuthFrame title={`Join ${invite.workspaceName}`} subtitle={`You are invited as ${invite.role}.`}>
      <AcceptInviteForm
        token={token}
        email={invite.email}
        hasAccount={invite.hasAccount}
        signedInAs={user?.email ?? null}
      />
    </AuthFrame>
  );
}
