import { ServiceHealthPanel } from '~/components/system/service-health';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'System status' };

export const dynamic = 'force-dynamic';

export default function StatusPage() {
  return (
    <>
      <div className="page-header">
        <div>
          <h1>System status</h1>
          <p>
            The services every DriveLab process depends on, checked for real: a Kafka metadata request, a Postgres query
            and a Redis PING.
          </p>
        </div>
      </div>
      <ServiceHealthPanel />
    </>
  );
}
