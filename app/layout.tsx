import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { sidebarScript } from "@/components/shell/sidebar-state";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Runlens", template: "%s · Runlens" },
  description: "Self-hosted observability for AI agents and workflows",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

// Applies the saved theme (or the system's) and the sidebar's saved state before first paint, so
// neither flashes.
const themeScript = `(() => { try {
  const t = localStorage.getItem("runlens-theme");
  const dark = t ? t === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.classList.toggle("dark", dark);
} catch {} ${sidebarScript} })();`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: constant script, no user content */}
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
