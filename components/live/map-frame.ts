/**
 * Framing of the bird's-eye view: the box (SVG coordinates, y down) that shows a set of vehicles.
 * Pure, so the "every vehicle on screen" rule is tested without a browser.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Metres kept around the vehicles at least, and the smallest span a fit shows. */
export const FIT_MARGIN = 25;
export const FIT_MIN_SPAN = 80;
/** Share of the vehicles' spread kept as margin, so markers and labels at the edge stay readable. */
const FIT_MARGIN_SHARE = 0.08;

/** The box around map points (x east, y north) with a margin, centred, at least FIT_MIN_SPAN wide. */
export function fitBox(points: readonly { x: number; y: number }[]): Box | null {
  if (points.length === 0) return null;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => -p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = Math.max(FIT_MARGIN, FIT_MARGIN_SHARE * Math.max(maxX - minX, maxY - minY));
  const w = Math.max(FIT_MIN_SPAN, maxX - minX + 2 * margin);
  const h = Math.max(FIT_MIN_SPAN, maxY - minY + 2 * margin);
  return { x: (minX + maxX) / 2 - w / 2, y: (minY + maxY) / 2 - h / 2, w, h };
}
