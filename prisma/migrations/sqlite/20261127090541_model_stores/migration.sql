-- AlterTable
ALTER TABLE "Job" ADD COLUMN "lane" TEXT;

-- AlterTable
ALTER TABLE "WorkerHeartbeat" ADD COLUMN "storeId" TEXT;

-- CreateTable
CREATE TABLE "ModelReplica" (
    "modelId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("modelId", "storeId"),
    CONSTRAINT "ModelReplica_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ModelReplica_storeId_idx" ON "ModelReplica"("storeId");

