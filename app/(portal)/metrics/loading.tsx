import { PageHeader } from "@/components/ui/card";
import { CardGridSkeleton } from "@/components/ui/skeleton";

/** While the Metrics page finds its agents: its title and the shape of a card grid. */
export default function MetricsLoading() {
  return (
    <>
      <PageHeader title="Metrics" description="KPI cards over the business events your agents send with track()." />
      <CardGridSkeleton label="Loading metrics" />
    </>
  );
}
