"use client";

import { useSyncExternalStore } from "react";
import { Toaster as Sonner } from "sonner";

/** Whether the portal is in dark mode (the class on <html> the theme toggle sets). */
function subscribeToTheme(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
const isDark = () => document.documentElement.classList.contains("dark");

/** Where toasts appear (sonner's `toast()`), in the portal's current theme. */
export function Toaster() {
  const dark = useSyncExternalStore(subscribeToTheme, isDark, () => false);
  return <Sonner theme={dark ? "dark" : "light"} position="bottom-right" closeButton duration={4000} />;
}
