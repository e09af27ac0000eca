"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api } from "@/lib/client/api";
import { Button } from "../ui/button";
import { TypedConfirmDialog } from "./confirm-dialog";

/** Deletes an execution (owners and admins) after its id is typed; then back to the list. */
export function DeleteExecutionButton({ executionId }: { executionId: string }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () =>
      api.request("DELETE /api/v1/runtime/v1/observability/executions/[id]", { params: { id: executionId } }),
    onSuccess: () => {
      setOpen(false);
      toast.success("Execution deleted.");
      void queryClient.invalidateQueries();
      router.push("/executions");
    },
  });
  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => setOpen(true)} aria-label="Delete execution">
        <Trash2 className="size-4" />
        <span className="sr-only sm:not-sr-only">Delete</span>
      </Button>
      <TypedConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Delete this execution?"
        word={executionId}
        action="Delete execution"
        pending={remove.isPending}
        error={remove.error?.message}
        onConfirm={() => remove.mutate()}
      >
        <p>
          Its spans, its review and its events are deleted for good; counts and charts no longer include it. The
          deletion is recorded in Settings › Data.
        </p>
      </TypedConfirmDialog>
    </>
  );
}
