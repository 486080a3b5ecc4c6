/**
 * Configuration sweeps, as P's parameterised tests: a suite may declare ranges of parameters
 * (`sweep: { maps: [1, 2, 3], reduces: [1, 2] }`) and a check spreads its runs over every
 * combination, so a bug that one configuration masks (as many map tasks as reduce tasks) shows
 * in another. A parameter the command line fixes (`--config maps=2`) is not swept. Every result,
 * and so every counterexample trace, records the configuration it ran in.
 */
import type { ParamValue } from '../../engine/model.js';
import type { Suite } from '../../properties/suite.js';

export type SweepPoint = Readonly<Record<string, ParamValue>>;

/**
 * The configurations a check of `suite` runs in, in a fixed order (the last key varies fastest):
 * one (no parameter swept) when the suite declares no sweep or the caller fixed every swept key.
 */
export function sweepPoints(suite: Suite, fixed: Readonly<Record<string, unknown>> = {}, preset: string | null = null): SweepPoint[] {
  // A preset is a configuration chosen whole: it is not swept.
  if ('preset' in fixed || preset !== null) return [{}];
  const ranges = Object.entries(suite.sweep ?? {}).filter(([key, values]) => !(key in fixed) && values.length > 0);
  let points: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of ranges) points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points;
}

/** `runs` spread over `points` configurations: the first ones get one more when it does not divide. */
export function shareOf(runs: number, points: number, index: number): number {
  return Math.floor(runs / points) + (index < runs % points ? 1 : 0);
}
