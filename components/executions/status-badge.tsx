import type { Execution } from "@/lib/contracts/executions";
import { Badge } from "../ui/card";

const TONES = { running: "indigo", success: "green", error: "red", cancelled: "amber" } as const;

export function StatusBadge({ status }: { status: Execution["status"] }) {
  return <Badge tone={TONES[status]}>{status}</Badge>;
}
