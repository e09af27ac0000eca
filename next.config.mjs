// JavaScript, not TypeScript: `next start` compiles a next.config.ts with SWC at every start, which
// loads SWC's native binding (about 20 MB resident) into the server for nothing else
// (docs/performance.md › Real traffic › Memory).
/** @type {import("next").NextConfig} */
const config = {
  // Database drivers and queue clients stay plain Node modules, loaded at run time.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "pg",
    "pg-copy-streams",
    "@prisma/adapter-pg",
    "ioredis",
    "bullmq",
  ],
  poweredByHeader: false,
  experimental: {
    // Next loads every route's server code when it starts; off, a route's code loads with its first
    // request. The idle server then holds only what it serves (docs/performance.md › Real traffic ›
    // Memory).
    preloadEntriesOnStart: false,
  },
  typedRoutes: false,
};

export default config;
