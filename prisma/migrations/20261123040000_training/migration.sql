-- CreateEnum
CREATE TYPE "TrainingJobState" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "source" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "featureNames" TEXT[],
    "labelKind" TEXT NOT NULL,
    "labelName" TEXT NOT NULL,
    "classes" TEXT[],
    "groupBy" TEXT NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "groupCount" INTEGER NOT NULL,
    "stats" JSONB NOT NULL,
    "dataKey" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingJob" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "modelName" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "tags" TEXT[],
    "state" "TrainingJobState" NOT NULL DEFAULT 'queued',
    "bossJobId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 2,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "maxEpochs" INTEGER NOT NULL DEFAULT 0,
    "loss" DOUBLE PRECISION,
    "valLoss" DOUBLE PRECISION,
    "etaMs" INTEGER,
    "error" TEXT,
    "workerId" TEXT,
    "backend" TEXT,
    "scheduleId" TEXT,
    "experimentRunId" TEXT,
    "modelVersionId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),

    CONSTRAINT "TrainingJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentRun" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "jobId" TEXT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'running',
    "params" JSONB NOT NULL,
    "tags" TEXT[],
    "backend" TEXT,
    "datasetVersionId" TEXT NOT NULL,
    "datasetFingerprint" TEXT NOT NULL,
    "metrics" JSONB,
    "artifacts" JSONB,
    "modelVersionId" TEXT,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,

    CONSTRAINT "ExperimentRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentRunEpoch" (
    "runId" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "valLoss" DOUBLE PRECISION,
    "elapsedMs" INTEGER NOT NULL,

    CONSTRAINT "ExperimentRunEpoch_pkey" PRIMARY KEY ("runId","epoch")
);

-- CreateTable
CREATE TABLE "RetrainSchedule" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "modelName" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "lastRunAt" TIMESTAMP(3),
    "lastJobId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RetrainSchedule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Dataset_orgId_updatedAt_idx" ON "Dataset"("orgId", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_orgId_name_key" ON "Dataset"("orgId", "name");

-- CreateIndex
CREATE INDEX "DatasetVersion_orgId_idx" ON "DatasetVersion"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_datasetId_version_key" ON "DatasetVersion"("datasetId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Experiment_orgId_name_key" ON "Experiment"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingJob_experimentRunId_key" ON "TrainingJob"("experimentRunId");

-- CreateIndex
CREATE INDEX "TrainingJob_orgId_createdAt_idx" ON "TrainingJob"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "TrainingJob_state_idx" ON "TrainingJob"("state");

-- CreateIndex
CREATE INDEX "ExperimentRun_orgId_startedAt_idx" ON "ExperimentRun"("orgId", "startedAt");

-- CreateIndex
CREATE INDEX "ExperimentRun_experimentId_idx" ON "ExperimentRun"("experimentId");

-- CreateIndex
CREATE UNIQUE INDEX "RetrainSchedule_orgId_modelName_key" ON "RetrainSchedule"("orgId", "modelName");

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingJob" ADD CONSTRAINT "TrainingJob_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingJob" ADD CONSTRAINT "TrainingJob_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentRun" ADD CONSTRAINT "ExperimentRun_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExperimentRunEpoch" ADD CONSTRAINT "ExperimentRunEpoch_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ExperimentRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

