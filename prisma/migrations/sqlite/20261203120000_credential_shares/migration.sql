-- CreateTable
CREATE TABLE "CredentialShare" (
    "credentialId" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,

    PRIMARY KEY ("credentialId", "groupId"),
    CONSTRAINT "CredentialShare_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CredentialShare_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CredentialShare_groupId_idx" ON "CredentialShare"("groupId");
