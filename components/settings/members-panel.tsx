"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiClientError, api } from "@/lib/client/api";
import { ROLES, type Role } from "@/lib/contracts/common";
import { formatDateTime } from "@/lib/format";
import { Button } from "../ui/button";
import { Alert, Card } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { Field, InlineSelect, Select } from "../ui/field";
import { TableSkeleton } from "../ui/skeleton";
import { settingsKeys } from "./queries";

const ROLE_HELP: Record<Role, string> = {
  owner: "everything, including owners",
  admin: "members, keys and settings",
  operator: "debug, import and edit dashboards",
  reviewer: "read and review executions",
  viewer: "read only",
};

export function MembersPanel({ canManage, myRole }: { canManage: boolean; myRole: Role }) {
  const queryClient = useQueryClient();
  const members = useQuery({
    queryKey: settingsKeys.members,
    queryFn: () => api.request("GET /api/v1/members"),
  });
  const invitations = useQuery({
    queryKey: settingsKeys.invitations,
    queryFn: () => api.request("GET /api/v1/invitations"),
    enabled: canManage,
  });
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: settingsKeys.members });
    void queryClient.invalidateQueries({ queryKey: settingsKeys.invitations });
  };

  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role }) => api.request("POST /api/v1/invitations", { body }),
    onSuccess: (res) => {
      setLink({ email: res.invitation.email, url: res.url });
      refresh();
    },
  });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      api.request("PATCH /api/v1/members/[userId]", { params: { userId }, body: { role } }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => api.request("DELETE /api/v1/members/[userId]", { params: { userId } }),
    onSettled: refresh,
  });
  const revokeInvite = useMutation({
    mutationFn: (id: string) => api.request("DELETE /api/v1/invitations/[id]", { params: { id } }),
    onSettled: refresh,
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setLink(null);
    invite.mutate({ email: String(f.get("email")), role: String(f.get("role")) as Role });
  }

  const assignable = ROLES.filter((r) => r !== "owner" || myRole === "owner");
  const actionError = [changeRole.error, remove.error].find(Boolean);

  return (
    <div className="space-y-6">
      {canManage && (
        <Card className="p-4">
          <h2 className="mb-3 text-sm font-semibold">Invite a member</h2>
          <form onSubmit={submit} className="flex flex-wrap items-end gap-3" noValidate>
            <Field
              className="min-w-64 flex-1"
              label="Email"
              name="email"
              type="email"
              required
              error={
                invite.error instanceof ApiClientError
                  ? (invite.error.fieldError("email") ?? invite.error.message)
                  : undefined
              }
            />
            <Select label="Role" name="role" defaultValue="operator">
              {assignable.map((r) => (
                <option key={r} value={r}>
                  {r} ({ROLE_HELP[r]})
                </option>
              ))}
            </Select>
            <Button type="submit" disabled={invite.isPending}>
              {invite.isPending ? "Creating link…" : "Create invitation link"}
            </Button>
          </form>
          {link && (
            <div
              className="mt-4 rounded-md border border-indigo-200 bg-indigo-50 p-3 text-sm dark:border-indigo-900 dark:bg-indigo-950"
              data-testid="invite-link"
            >
              <p>
                Send this one-time link to <strong>{link.email}</strong>. It works once and expires in 7 days.
              </p>
              <div className="mt-2 flex items-center gap-2">
                <code className="min-w-0 flex-1 truncate rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900">
                  {link.url}
                </code>
                <CopyButton value={link.url} label="Copy link" />
              </div>
            </div>
          )}
        </Card>
      )}

      {actionError && <Alert>{actionError.message}</Alert>}

      {members.isPending ? (
        <TableSkeleton label="Loading members" rows={3} columns={4} />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs text-zinc-500 uppercase dark:border-zinc-800">
              <tr>
                <th className="px-3 py-2 font-medium">Name</th>
                <th className="px-3 py-2 font-medium">Email</th>
                <th className="px-3 py-2 font-medium">Role</th>
                <th className="px-3 py-2 font-medium">Since</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {members.data?.members.map((m) => {
                const isMe = m.userId === members.data.me.userId;
                const editable = canManage && !isMe && (m.role !== "owner" || myRole === "owner");
                return (
                  <tr key={m.userId}>
                    <td className="px-3 py-2 font-medium">
                      {m.name} {isMe && <span className="text-xs text-zinc-500">(you)</span>}
                    </td>
                    <td className="px-3 py-2">{m.email}</td>
                    <td className="px-3 py-2">
                      {editable ? (
                        <InlineSelect
                          aria-label={`Role of ${m.email}`}
                          value={m.role}
                          onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as Role })}
                        >
                          {assignable.map((r) => (
                            <option key={r} value={r}>
                              {r}
                            </option>
                          ))}
                        </InlineSelect>
                      ) : (
                        m.role
                      )}
                    </td>
                    <td className="px-3 py-2 text-zinc-500">{formatDateTime(m.createdAt)}</td>
                    <td className="px-3 py-2 text-right">
                      {editable && (
                        <Button
                          variant="secondary"
                          size="sm"
                          onClick={() =>
                            window.confirm(`Remove ${m.email} from this workspace?`) && remove.mutate(m.userId)
                          }
                        >
                          Remove
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}

      {canManage && (invitations.data?.invitations.length ?? 0) > 0 && (
        <Card>
          <h2 className="border-b border-zinc-200 px-3 py-2 text-sm font-semibold dark:border-zinc-800">
            Pending invitations
          </h2>
          <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {invitations.data?.invitations.map((i) => (
              <li key={i.id} className="flex items-center gap-3 px-3 py-2">
                <span className="flex-1">{i.email}</span>
                <span className="text-zinc-500">{i.role}</span>
                <span className="text-zinc-500">expires {formatDateTime(i.expiresAt)}</span>
                <Button variant="ghost" size="sm" onClick={() => revokeInvite.mutate(i.id)}>
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
