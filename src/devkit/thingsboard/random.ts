// A small seeded pseudo-random generator, so that a test that injects random faults can replay
// the same sequence. Not for anything that needs unpredictability.

/**
 * Returns a generator of numbers in [0, 1) using Marsaglia's xorshift32 (Xorshift RNGs, 2003).
 * The seed is scrambled and the first outputs are discarded, because xorshift32 started from a
 * small seed such as 1 gives near-zero numbers for its first few steps.
 */
export function seededRandom(seed: number): () => number {
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  if (state === 0) state = 0x6d2b79f5;

  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };

  for (let step = 0; step < 8; step += 1) next();
  return next;
}
