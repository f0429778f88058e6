/**
 * The seed of trial `trialNumber` in a sweep seeded with `sweepSeed`: a uint32 that depends only on
 * the two, so a trial's seed (and so its sampled config) is the same however often it is recomputed.
 * MurmurHash3's 32-bit finaliser mixes the pair so that neighbouring trials get unrelated seeds.
 */
export function deriveTrialSeed(sweepSeed: number, trialNumber: number): number {
  let h = (sweepSeed ^ Math.imul(trialNumber + 1, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
