/**
 * Which x markers of a chart carry a text label. Busy runs put dozens of events on a chart; their
 * labels drawn side by side overprint into an unreadable smear, so a label needs a clear stretch
 * of axis since the previous labelled marker; the other markers keep their line. Pure.
 */
export function labelledMarkers(
  markers: readonly { x: number }[],
  domain: readonly [number, number],
  /** Share of the axis span a label needs to itself (a label is ~12 characters wide). */
  minGapShare = 0.15,
): Set<number> {
  const span = domain[1] - domain[0];
  const gap = span > 0 ? span * minGapShare : Number.POSITIVE_INFINITY;
  const order = markers
    .map((m, i) => ({ x: m.x, i }))
    .filter((m) => m.x >= domain[0] && m.x <= domain[1])
    .sort((a, b) => a.x - b.x);
  const out = new Set<number>();
  let lastX = Number.NEGATIVE_INFINITY;
  for (const m of order) {
    if (m.x - lastX < gap) continue;
    out.add(m.i);
    lastX = m.x;
  }
  return out;
}
