'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { useActionError } from '~/components/trpc/use-action-error';
import { Alert, Button, Card, ConfirmButton, formatTime, Input } from '~/components/ui';

/**
 * The org's outgoing webhook (drift alerts): its URL, a signing secret shown once when it is set,
 * a signed test delivery, and how the receiver answered last.
 */
export function WebhookPanel({ org }: { org: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const hook = useQuery(trpc.orgs.webhook.queryOptions({ org }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.orgs.webhook.queryKey() });
  const set = useMutation(trpc.orgs.setWebhook.mutationOptions({ onSettled: refresh }));
  const test = useMutation(trpc.orgs.testWebhook.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.orgs.removeWebhook.mutationOptions({ onSettled: refresh }));
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const { error, attempt } = useActionError();
  const h = hook.data;
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Card>
        <h2>Webhook</h2>
        <p className="sub">
          Drift alerts are POSTed to this URL as JSON, signed with HMAC-SHA256 in the{' '}
          <code>{h?.signatureHeader ?? 'X-DriveLab-Signature'}</code> header (<code>t=…,v1=…</code> over{' '}
          <code>&lt;t&gt;.&lt;body&gt;</code>). Saving a URL makes a new signing secret, shown once.
        </p>
        <form
          className="form-row mt-3"
          onSubmit={async (e) => {
            e.preventDefault();
            setTested(null);
            await attempt(async () => {
              const r = await set.mutateAsync({ org, url });
              setSecret(r.secret);
              setUrl('');
            });
          }}
        >
          <div className="field grow min-w-sm">
            <label htmlFor="webhook-url">Webhook URL</label>
            <Input
              id="webhook-url"
              placeholder="https://example.com/drivelab"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </div>
          <Button variant="primary" type="submit" disabled={set.isPending || !url.trim()}>
            {h ? 'Replace URL and secret' : 'Save webhook'}
          </Button>
        </form>
        {secret && (
          <div className="alert alert-info mt-3" role="status" data-testid="webhook-secret">
            Signing secret (copy it now, it is not shown again): <code>{secret}</code>
          </div>
        )}
      </Card>
      {h && (
        <Card className="mt-4" data-testid="webhook-current">
          <div className="toolbar justify-between">
            <div>
              <div>
                Delivering to <code data-testid="webhook-url-current">{h.url}</code>
              </div>
              <div className="muted text-sm mt-1" data-testid="webhook-last">
                {h.lastAt
                  ? `Last delivery ${formatTime(h.lastAt)}: ${h.lastError ?? `HTTP ${h.lastStatus ?? '?'}`}`
                  : 'No delivery yet.'}
              </div>
            </div>
            <div className="toolbar">
              <Button
                disabled={test.isPending}
                onClick={async () => {
                  setTested(null);
                  await attempt(async () => {
                    const r = await test.mutateAsync({ org });
                    setTested(
                      r.delivered
                        ? `Test delivered: the receiver answered HTTP ${r.status ?? '?'}.`
                        : `Test not accepted: ${r.error ?? 'no answer'}.`,
                    );
                  });
                }}
              >
                Send test delivery
              </Button>
              <ConfirmButton
                title="Remove the webhook?"
                message="Drift alerts stop being delivered to it; they stay on dl.alerts and in the portal."
                confirmLabel="Remove webhook"
                disabled={remove.isPending}
                onConfirm={async () => {
                  setSecret(null);
                  setTested(null);
                  await attempt(async () => {
                    await remove.mutateAsync({ org });
                  });
                }}
              >
                Remove
              </ConfirmButton>
            </div>
          </div>
          {tested && (
            <p className="mt-3" role="status" data-testid="webhook-test-result">
              {tested}
            </p>
          )}
        </Card>
      )}
    </>
  );
}
