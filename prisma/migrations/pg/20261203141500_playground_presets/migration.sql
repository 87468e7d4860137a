-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "ttftMs" INTEGER,
ADD COLUMN     "stopped" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ChatPreset" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "systemPrompt" TEXT,
    "paramsJson" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatPreset_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ChatPreset_userId_name_key" ON "ChatPreset"("userId", "name");

-- AddForeignKey
ALTER TABLE "ChatPreset" ADD CONSTRAINT "ChatPreset_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
