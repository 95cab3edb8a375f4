-- CreateTable
CREATE TABLE "OrgMap" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrgMap_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrgMapVersion" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "mapId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "xodr" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "stats" JSONB NOT NULL,
    "previewSvg" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OrgMapVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OrgMap_orgId_name_key" ON "OrgMap"("orgId", "name");

-- CreateIndex
CREATE INDEX "OrgMapVersion_orgId_idx" ON "OrgMapVersion"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "OrgMapVersion_mapId_version_key" ON "OrgMapVersion"("mapId", "version");

-- AddForeignKey
ALTER TABLE "OrgMap" ADD CONSTRAINT "OrgMap_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrgMapVersion" ADD CONSTRAINT "OrgMapVersion_mapId_fkey" FOREIGN KEY ("mapId") REFERENCES "OrgMap"("id") ON DELETE CASCADE ON UPDATE CASCADE;
