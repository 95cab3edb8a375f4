-- Drift: a per-model policy and the stored reports (server/drift).
ALTER TABLE "RegisteredModel" ADD COLUMN "driftPolicy" TEXT NOT NULL DEFAULT 'notify';

CREATE TABLE "DriftReport" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowEnd" TIMESTAMP(3) NOT NULL,
    "rows" INTEGER NOT NULL,
    "datasetDrift" BOOLEAN NOT NULL,
    "driftedShare" DOUBLE PRECISION NOT NULL,
    "report" JSONB NOT NULL,
    "policy" TEXT NOT NULL,
    "retrainJobId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DriftReport_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "DriftReport_orgId_modelId_createdAt_idx" ON "DriftReport"("orgId", "modelId", "createdAt");
