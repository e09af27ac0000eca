import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False while the page is server-rendered and hydrating, true once React has hydrated it. A control
 * the server renders can be used before React listens to it, and a choice made then is lost (React
 * hydrates the value it rendered): controls stay disabled until this is true.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
