import { redirect } from "next/navigation";
import { portalState } from "./_lib/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  const state = await portalState();
  redirect(state === "setup" ? "/setup" : state === "login" ? "/login" : "/overview");
}
