"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ApiClientError, api } from "@/lib/client/api";
import { Button } from "../ui/button";
import { Alert } from "../ui/card";
import { Field } from "../ui/field";

export function SetupForm() {
  const router = useRouter();
  const [error, setError] = useState<ApiClientError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api.request("POST /api/v1/setup", {
        body: {
          name: f.get("name") as string,
          email: f.get("email") as string,
          password: f.get("password") as string,
          workspaceName: f.get("workspaceName") as string,
        },
      });
      router.replace("/overview");
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiClientError ? err : new ApiClientError(0, "network", "Could not reach the server."));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error && !error.details.length && <Alert>{error.message}</Alert>}
      <Field label="Your name" name="name" autoComplete="name" required error={error?.fieldError("name")} />
      <Field label="Email" name="email" type="email" autoComplete="email" required error={error?.fieldError("email")} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 10 characters."
        error={error?.fieldError("password")}
      />
      <Field
        label="Workspace name"
        name="workspaceName"
        defaultValue="Default"
        required
        error={error?.fieldError("workspaceName")}
      />
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? "Creating…" : "Create owner account"}
      </Button>
    </form>
  );
}
