-- Served predictions and their observed outcomes (server/outcomes), shadow versions and
-- automatic canary rollback on the alias.
ALTER TABLE "ModelAlias" ADD COLUMN "shadowVersionId" TEXT;
ALTER TABLE "ModelAlias" ADD COLUMN "autoRollback" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "ServedPrediction" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "alias" TEXT,
    "variant" TEXT NOT NULL,
    "vehicleId" TEXT,
    "runId" TEXT,
    "servedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "score" DOUBLE PRECISION NOT NULL,
    "label" TEXT,
    "pairedWithId" TEXT,
    "observed" DOUBLE PRECISION,
    "observedLabel" TEXT,
    "observedAt" TIMESTAMP(3),
    "observedSource" TEXT,
    CONSTRAINT "ServedPrediction_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ServedPrediction_orgId_modelId_servedAt_idx" ON "ServedPrediction"("orgId", "modelId", "servedAt");
CREATE INDEX "ServedPrediction_orgId_modelId_vehicleId_servedAt_idx" ON "ServedPrediction"("orgId", "modelId", "vehicleId", "servedAt");
CREATE INDEX "ServedPrediction_runId_vehicleId_idx" ON "ServedPrediction"("runId", "vehicleId");
CREATE INDEX "ServedPrediction_pairedWithId_idx" ON "ServedPrediction"("pairedWithId");
