-- CreateTable
CREATE TABLE "RegisteredModel" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "kind" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RegisteredModel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "experimentRunId" TEXT,
    "kind" TEXT NOT NULL,
    "featureNames" TEXT[],
    "metrics" JSONB NOT NULL,
    "threshold" DOUBLE PRECISION,
    "onnxKey" TEXT NOT NULL,
    "sidecarKey" TEXT,
    "tfjsKey" TEXT,
    "inputShape" INTEGER[],
    "outputShape" INTEGER[],
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelAlias" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "canaryVersionId" TEXT,
    "canaryWeight" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ModelAlias_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelAliasEvent" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "fromVersionId" TEXT,
    "toVersionId" TEXT,
    "canaryVersionId" TEXT,
    "canaryWeight" DOUBLE PRECISION,
    "actorLabel" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelAliasEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "vehicleId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "windowStart" DOUBLE PRECISION NOT NULL,
    "windowEnd" DOUBLE PRECISION NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RegisteredModel_orgId_name_key" ON "RegisteredModel"("orgId", "name");

-- CreateIndex
CREATE INDEX "ModelVersion_orgId_idx" ON "ModelVersion"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_modelId_version_key" ON "ModelVersion"("modelId", "version");

-- CreateIndex
CREATE INDEX "ModelAlias_orgId_idx" ON "ModelAlias"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "ModelAlias_modelId_name_key" ON "ModelAlias"("modelId", "name");

-- CreateIndex
CREATE INDEX "ModelAliasEvent_modelId_alias_createdAt_idx" ON "ModelAliasEvent"("modelId", "alias", "createdAt");

-- CreateIndex
CREATE INDEX "Alert_orgId_createdAt_idx" ON "Alert"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "Alert_runId_idx" ON "Alert"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_runId_vehicleId_modelVersionId_windowStart_key" ON "Alert"("runId", "vehicleId", "modelVersionId", "windowStart");

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "RegisteredModel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelAlias" ADD CONSTRAINT "ModelAlias_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "RegisteredModel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

