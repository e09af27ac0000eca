import type { NextConfig } from "next";

const config: NextConfig = {
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
  typedRoutes: false,
};

export default config;
