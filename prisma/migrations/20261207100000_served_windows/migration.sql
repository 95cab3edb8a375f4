-- The event-time window a served prediction scored (seconds of simulation since the run started),
-- so ground truth from a run's fault_start/fault_end events can label it (server/outcomes/ground-truth.ts).
ALTER TABLE "ServedPrediction" ADD COLUMN "windowStart" DOUBLE PRECISION;
ALTER TABLE "ServedPrediction" ADD COLUMN "windowEnd" DOUBLE PRECISION;
