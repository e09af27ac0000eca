"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Button } from "../ui/button";
import { Alert } from "../ui/card";
import { Field } from "../ui/field";

export function LoginForm() {
  const router = useRouter();
  const next = useSearchParams().get("next");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const res = await fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: f.get("email"), password: f.get("password") }),
    }).catch(() => null);
    if (res?.ok) {
      router.replace(next?.startsWith("/") && !next.startsWith("//") ? next : "/overview");
      router.refresh();
      return;
    }
    setBusy(false);
    if (!res) setError("Could not reach the server.");
    else if (res.status === 429) setError("Too many sign-in attempts. Wait a minute and try again.");
    else setError("Email or password is incorrect.");
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      {error && <Alert>{error}</Alert>}
      <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
      {/* The way back in is for the few who need it, not printed on every visit. */}
      <details className="text-sm text-zinc-600 dark:text-zinc-400">
        <summary className="cursor-pointer select-none">Forgot your password?</summary>
        <p className="mt-2">
          Ask an admin of your workspace: on the server,{" "}
          <code className="font-mono text-xs">npm run admin -- reset-password &lt;your email&gt;</code> gives you a
          one-time password.
        </p>
      </details>
    </form>
  );
}
