import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthFrame } from "@/components/auth/auth-frame";
import { LoginForm } from "@/components/auth/login-form";
import { portalState } from "../_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  const state = await portalState();
  if (state === "setup") redirect("/setup");
  if (state === "portal") redirect("/overview");
  return (
    <AuthFrame title="Sign in">
      <Suspense>
        <LoginForm />
      </Suspense>
    </AuthFrame>
  );
}
