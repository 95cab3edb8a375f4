-- Drift from served traffic: per-model window settings, serving windows, org webhooks.
ALTER TABLE "RegisteredModel" ADD COLUMN "driftWindow" JSONB;

CREATE TABLE "DriftWindow" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowEnd" TIMESTAMP(3) NOT NULL,
    "rows" INTEGER NOT NULL,
    "featureNames" TEXT[],
    "summary" JSONB NOT NULL,
    "checkedAt" TIMESTAMP(3),
    "reportId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DriftWindow_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "DriftWindow_checkedAt_windowEnd_idx" ON "DriftWindow"("checkedAt", "windowEnd");
CREATE INDEX "DriftWindow_orgId_modelId_windowStart_idx" ON "DriftWindow"("orgId", "modelId", "windowStart");

CREATE TABLE "OrgWebhook" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "lastAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "OrgWebhook_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "OrgWebhook_orgId_key" ON "OrgWebhook"("orgId");
