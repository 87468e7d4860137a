-- CreateTable
CREATE TABLE "CredentialShare" (
    "credentialId" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,

    CONSTRAINT "CredentialShare_pkey" PRIMARY KEY ("credentialId","groupId")
);

-- CreateIndex
CREATE INDEX "CredentialShare_groupId_idx" ON "CredentialShare"("groupId");

-- AddForeignKey
ALTER TABLE "CredentialShare" ADD CONSTRAINT "CredentialShare_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CredentialShare" ADD CONSTRAINT "CredentialShare_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;
