-- AlterTable
ALTER TABLE "reviews" ADD COLUMN     "search" tsvector;

-- CreateIndex
CREATE INDEX "reviews_search_idx" ON "reviews" USING GIN ("search");
