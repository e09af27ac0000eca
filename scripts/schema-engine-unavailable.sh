#!/bin/sh
if [ "$1" = "--version" ]; then echo "schema-engine-cli unavailable-offline"; exit 0; fi
echo "The native Prisma schema engine is not installed (it is downloaded from outside npm)." >&2
echo "Use: npm run db:migration:new -- <name>  (WASM engine)   /   npm run db:deploy  (SQL runner)" >&2
exit 1
