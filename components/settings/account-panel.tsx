"use client";

import { type FormEvent, useState } from "react";
import { Button } from "../ui/button";
import { Alert, Card } from "../ui/card";
import { Field } from "../ui/field";

/** Change password (better-auth's change-password endpoint; other sessions are signed out). */
export function AccountPanel({ email }: { email: string }) {
  const [state, setState] = useState<{ kind: "idle" | "busy" | "done" } | { kind: "error"; message: string }>({
    kind: "idle",
  });

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    if (f.get("newPassword") !== f.get("confirm")) {
      setState({ kind: "error", message: "The new passwords do not match." });
      return;
    }
    setState({ kind: "busy" });
    const res = await fetch("/api/auth/change-password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        currentPassword: f.get("currentPassword"),
        newPassword: f.get("newPassword"),
        revokeOtherSessions: true,
      }),
    }).catch(() => null);
    if (res?.ok) {
      form.reset();
      setState({ kind: "done" });
      return;
    }
    const body = (await res?.json().catch(() => null)) as { message?: string } | null;
    setState({
      kind: "error",
      message: res ? (body?.message ?? "Could not change the password.") : "Could not reach the server.",
    });
  }

  return (
    <Card className="max-w-md p-4">
      <h2 className="text-sm font-semibold">Change password</h2>
      <p className="mt-1 text-sm text-zinc-500">Signed in as {email}. Other sessions are signed out.</p>
      <form onSubmit={submit} className="mt-4 space-y-3">
        {state.kind === "error" && <Alert>{state.message}</Alert>}
        {state.kind === "done" && <Alert tone="success">Password changed.</Alert>}
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
        />
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          hint="At least 10 characters."
        />
        <Field label="Repeat new password" name="confirm" type="password" autoComplete="new-password" required />
        <Button type="submit" disabled={state.kind === "busy"}>
          {state.kind === "busy" ? "Saving…" : "Change password"}
        </Button>
      </form>
    </Card>
  );
}
