-- How the portal shows times to each user: "utc" (default) or "local".
ALTER TABLE "User" ADD COLUMN "timeFormat" TEXT NOT NULL DEFAULT 'utc';
