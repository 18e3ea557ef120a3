// The tenant REST rate limit: comma-separated "capacity:seconds" buckets that must all have a
// token left, e.g. "100:1,3000:60". Each bucket refills at capacity/seconds tokens per second.

interface Bucket {
  capacity: number;
  refillPerMs: number;
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets: Bucket[];

  constructor(
    spec: string | undefined,
    private readonly now: () => number,
  ) {
    this.buckets = parseRateLimit(spec).map(({ capacity, seconds }) => ({
      capacity,
      refillPerMs: capacity / (seconds * 1000),
      tokens: capacity,
      updatedAt: now(),
    }));
  }

  /** Takes one token from every bucket; returns false, taking none, when any bucket is empty. */
  tryAcquire(): boolean {
    const time = this.now();
    for (const bucket of this.buckets) {
      bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (time - bucket.updatedAt) * bucket.refillPerMs);
      bucket.updatedAt = time;
    }
    if (this.buckets.some((bucket) => bucket.tokens < 1)) return false;
    for (const bucket of this.buckets) bucket.tokens -= 1;
    return true;
  }
}

export function parseRateLimit(spec: string | undefined): Array<{ capacity: number; seconds: number }> {
  if (spec === undefined || spec.trim() === '') return [];
  return spec.split(',').map((entry) => {
    const [capacity, seconds] = entry.trim().split(':').map(Number);
    if (capacity === undefined || seconds === undefined || !(capacity > 0) || !(seconds > 0)) {
      throw new Error(`Invalid rate limit entry "${entry}": expected capacity:seconds with positive numbers`);
    }
    return { capacity, seconds };
  });
}
