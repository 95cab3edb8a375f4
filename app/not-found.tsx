import type { Metadata } from 'next';
import { NotFoundPanel } from '~/components/ui';

export const metadata: Metadata = { title: 'Not found' };

/** Unknown addresses and unknown organizations (notFound() in server/auth/page-org.ts) land here. */
export default function NotFound() {
  return (
    <>
      {/* An unknown org 404s from its layout, whose page metadata Next has then already dropped (the
          title came out empty): React hoists this into <head>, matching the metadata above. */}
      <title>Not found · DriveLab</title>
      <NotFoundPanel title="Page not found" backHref="/orgs" backLabel="Back to your organizations">
        There is nothing at this address, or it belongs to an organization you are not a member of.
      </NotFoundPanel>
    </>
  );
}
