-- AlterTable
ALTER TABLE "WorkerHeartbeat" ADD COLUMN     "diskJson" TEXT;

