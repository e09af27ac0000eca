-- DropForeignKey
ALTER TABLE "spans" DROP CONSTRAINT "spans_workspace_id_fkey";
