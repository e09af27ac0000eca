import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthFrame } from "@/components/auth/auth-frame";
import { SetupForm } from "@/components/auth/setup-form";
import { portalState } from "../_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up" };

export default async function SetupPage() {
  if ((await portalState()) !== "setup") redirect("/login");
  return (
    <AuthFrame title="Welcome to Runlens" subtitle="Create the owner account and your first workspace.">
      <SetupForm />
    </AuthFrame>
  );
}
