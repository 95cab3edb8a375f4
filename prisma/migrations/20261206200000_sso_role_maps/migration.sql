-- AlterTable
ALTER TABLE "Membership" ADD COLUMN "viaSso" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SsoRoleMap" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SsoRoleMap_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SsoRoleMap_orgId_group_key" ON "SsoRoleMap"("orgId", "group");

-- AddForeignKey
ALTER TABLE "SsoRoleMap" ADD CONSTRAINT "SsoRoleMap_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
