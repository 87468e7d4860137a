-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "lane" TEXT;

-- AlterTable
ALTER TABLE "WorkerHeartbeat" ADD COLUMN     "storeId" TEXT;

-- CreateTable
CREATE TABLE "ModelReplica" (
    "modelId" TEXT NOT NULL,
    "storeId" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ModelReplica_pkey" PRIMARY KEY ("modelId","storeId")
);

-- CreateIndex
CREATE INDEX "ModelReplica_storeId_idx" ON "ModelReplica"("storeId");

-- AddForeignKey
ALTER TABLE "ModelReplica" ADD CONSTRAINT "ModelReplica_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

