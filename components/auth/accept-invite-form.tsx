"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ApiClientError, api } from "@/lib/client/api";
import { Button } from "../ui/button";
import { Alert } from "../ui/card";
import { Field } from "../ui/field";

type Props = { token: string; email: string; hasAccount: boolean; signedInAs: string | null };

export function AcceptInviteForm({ token, email, hasAccount, signedInAs }: Props) {
  const router = useRouter();
  const [error, setError] = useState<ApiClientError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api.request("POST /api/v1/invitations/accept", {
        body: hasAccount ? { token } : { token, name: f.get("name") as string, password: f.get("password") as string },
      });
      router.replace("/overview");
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiClientError ? err : new ApiClientError(0, "network", "Could not reach the server."));
      setBusy(false);
    }
  }

  if (hasAccount && signedInAs !== email) {
    return (
      <Alert tone="info">
        This invitation is for {email}, which already has an account.{" "}
        <a className="font-medium underline" href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>
          Sign in as {email}
        </a>{" "}
        to accept it.
      </Alert>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error && !error.details.length && <Alert>{error.message}</Alert>}
      <Field label="Email" name="email" value={email} readOnly disabled />
      {!hasAccount && (
        <>
          <Field label="Your name" name="name" autoComplete="name" required error={error?.fieldError("name")} />
          <Field
            label="Choose a password"
            name="password"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters."
            required
            error={error?.fieldError("password")}
          />
        </>
      )}
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? "Joining…" : "Join workspace"}
      </Button>
    </form>
  );
}
