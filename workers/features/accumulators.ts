/**
 * Mergeable accumulators. Sliding windows are built by merging the partials of their tumbling
 * windows, so every statistic keeps a form that merges exactly: counts, means and centred
 * second moments (Welford updates, Chan et al. merges), which stay accurate where naive sums of
 * squares lose the variance of readings like 230 kPa ± 0.01 to cancellation.
 */

/** Count, mean, centred second moment, min and max of one reading. */
export class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  add(x: number): void {
    const n = ++this.n;
    const d = x - this.mean;
    this.mean += d / n;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Adds a reading that may be missing; a dropped-out sensor does not count. */
  addNullable(x: number | null): void {
    if (x !== null) this.add(x);
  }

  merge(o: Moments): void {
    if (o.n === 0) return;
    if (this.n === 0) {
      this.n = o.n;
      this.mean = o.mean;
      this.m2 = o.m2;
      this.min = o.min;
      this.max = o.max;
      return;
    }
    const n = this.n + o.n;
    const d = o.mean - this.mean;
    this.mean += (d * o.n) / n;
    this.m2 += o.m2 + (d * d * this.n * o.n) / n;
    this.n = n;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  meanOrNull(): number | null {
    return this.n > 0 ? this.mean : null;
  }

  /** Population standard deviation. */
  stdOrNull(): number | null {
    return this.n > 0 ? Math.sqrt(Math.max(0, this.m2 / this.n)) : null;
  }

  minOrNull(): number | null {
    return this.n > 0 ? this.min : null;
  }

  maxOrNull(): number | null {
    return this.n > 0 ? this.max : null;
  }
}

/** Least-squares slope of a reading over event time. */
export class Trend {
  n = 0;
  meanT = 0;
  meanY = 0;
  stt = 0;
  sty = 0;

  add(t: number, y: number): void {
    const n = ++this.n;
    const dt = t - this.meanT;
    this.meanT += dt / n;
    this.meanY += (y - this.meanY) / n;
    this.stt += dt * (t - this.meanT);
    this.sty += dt * (y - this.meanY);
  }

  merge(o: Trend): void {
    if (o.n === 0) return;
    if (this.n === 0) {
      this.n = o.n;
      this.meanT = o.meanT;
      this.meanY = o.meanY;
      this.stt = o.stt;
      this.sty = o.sty;
      return;
    }
    const n = this.n + o.n;
    const dt = o.meanT - this.meanT;
    const dy = o.meanY - this.meanY;
    const w = (this.n * o.n) / n;
    this.stt += o.stt + dt * dt * w;
    this.sty += o.sty + dt * dy * w;
    this.meanT += (dt * o.n) / n;
    this.meanY += (dy * o.n) / n;
    this.n = n;
  }

  /** Null with fewer than two distinct instants: a slope needs a spread in time. */
  slopeOrNull(): number | null {
    return this.n >= 2 && this.stt > 0 ? this.sty / this.stt : null;
  }
}

/**
 * Rates of change between consecutive readings (by event time). The first and last readings are
 * kept so that merging two adjacent windows also counts the pair that straddles their boundary,
 * exactly as a scan over the raw frames of both would.
 */
export class RateStats {
  readonly rates = new Moments();
  /** Largest |Δv/Δt|. */
  absMax = -Infinity;
  hasEnds = false;
  firstT = 0;
  firstV = 0;
  lastT = 0;
  lastV = 0;

  /** Readings must arrive in event-time order; equal instants (duplicates) give no rate. */
  add(t: number, v: number): void {
    if (!this.hasEnds) {
      this.hasEnds = true;
      this.firstT = t;
      this.firstV = v;
    } else if (t > this.lastT) {
      this.addRate((v - this.lastV) / (t - this.lastT));
    } else {
      return;
    }
    this.lastT = t;
    this.lastV = v;
  }

  private addRate(r: number): void {
    this.rates.add(r);
    const a = Math.abs(r);
    if (a > this.absMax) this.absMax = a;
  }

  /** Appends a window that follows this one in event time. */
  mergeAfter(o: RateStats): void {
    if (!o.hasEnds) return;
    if (!this.hasEnds) {
      this.hasEnds = true;
      this.firstT = o.firstT;
      this.firstV = o.firstV;
    } else if (o.firstT > this.lastT) {
      this.addRate((o.firstV - this.lastV) / (o.firstT - this.lastT));
    }
    this.rates.merge(o.rates);
    if (o.absMax > this.absMax) this.absMax = o.absMax;
    this.lastT = o.lastT;
    this.lastV = o.lastV;
  }

  absMaxOrNull(): number | null {
    return this.rates.n > 0 ? this.absMax : null;
  }
}
