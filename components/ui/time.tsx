'use client';

import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { formatClock, formatTime, zoneLabel, type TimeOptions, type TimeZoneMode } from './format';

const ZoneContext = createContext<TimeZoneMode>('utc');

// false while rendering on the server and hydrating, true afterwards (nothing to subscribe to).
const noSubscription = () => () => {};
const isClient = () => true;
const isServer = () => false;

/** The signed-in user's time setting (read by the root layout), for every time below it. */
export function TimeZoneProvider({ zone, children }: { zone: TimeZoneMode; children: ReactNode }) {
  return <ZoneContext.Provider value={zone}>{children}</ZoneContext.Provider>;
}

/**
 * Formatters bound to the user's setting. The server cannot know the browser's zone, so local
 * mode renders UTC until hydrated and then switches: no hydration mismatch, no wrong zone.
 */
export function useTimeFormat() {
  const zone = useContext(ZoneContext);
  const mounted = useSyncExternalStore(noSubscription, isClient, isServer);
  const effective: TimeZoneMode = zone === 'local' && mounted ? 'local' : 'utc';
  return useMemo(() => {
    const base: TimeOptions = { zone: effective };
    return {
      zone: effective,
      time: (d: Date | string | number | null | undefined, o?: TimeOptions) => formatTime(d, { ...base, ...o }),
      clock: (d: Date | string | number | null | undefined) => formatClock(d, base),
      label: () => zoneLabel(base),
    };
  }, [effective]);
}

/** A timestamp in the portal's one format, as a <time> element with its ISO value. */
export function Time({
  value,
  seconds,
  className,
}: {
  value: Date | string | number | null | undefined;
  seconds?: boolean;
  className?: string;
}) {
  const f = useTimeFormat();
  const text = f.time(value, { seconds });
  if (text === '—') return <span className={className}>—</span>;
  return (
    <time className={className} dateTime={new Date(value!).toISOString()} data-zone={f.zone}>
      {text}
    </time>
  );
}
