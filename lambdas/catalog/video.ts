import { VISIBILITIES, type Visibility } from '#contract/catalog.ts';

/** How many people may see a video of each visibility, in order: a clip is never more open than its source. */
export const OPENNESS: Readonly<Record<Visibility, number>> = { public: 2, unlisted: 1, private: 0 };

/** The visibilities a video derived from one of `source`'s visibility may have, most open first. */
export const visibilitiesWithin = (source: Visibility): Visibility[] =>
  VISIBILITIES.filter((visibility) => OPENNESS[visibility] <= OPENNESS[source]);

/** The less open of two visibilities: what a clip may be, given its own and its source's. */
export const narrowest = (a: Visibility, b: Visibility): Visibility => (OPENNESS[a] <= OPENNESS[b] ? a : b);

/** The visibilities more open than `ceiling`: a clip stored with one of them must be narrowed. */
export const visibilitiesAbove = (ceiling: Visibility): Visibility[] =>
  VISIBILITIES.filter((visibility) => OPENNESS[visibility] > OPENNESS[ceiling]);

/** The visibilities at least as open as `floor`: what a source must have for a clip of `floor` to be cut. */
export const visibilitiesFrom = (floor: Visibility): Visibility[] =>
  VISIBILITIES.filter((visibility) => OPENNESS[visibility] >= OPENNESS[floor]);
