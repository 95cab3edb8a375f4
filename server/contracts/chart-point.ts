/**
 * The channels a live chart plots, per point: the one shape that the offline history (window
 * means from the feature store) and the live frames both fill, so the two join into one series.
 * Null where a point has no value for the channel.
 */
export interface ChartPoint {
  t: number;
  speed: number | null;
  accelLon: number | null;
  accelLat: number | null;
  engineTemp: number | null;
  batteryTemp: number | null;
  brake: number | null;
  /** The lowest wheel's pressure (for a window: its minimum of the per-frame minimum). */
  tyreMin: number | null;
}
