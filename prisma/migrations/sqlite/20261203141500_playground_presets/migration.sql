-- AlterTable
ALTER TABLE "Message" ADD COLUMN "ttftMs" INTEGER;
ALTER TABLE "Message" ADD COLUMN "stopped" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ChatPreset" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "systemPrompt" TEXT,
    "paramsJson" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ChatPreset_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ChatPreset_userId_name_key" ON "ChatPreset"("userId", "name");
