import { VISIBILITIES, type Visibility } from '#contract/catalog.ts';

/** How many people may see a video of each visibility, in order: a clip is never more open than its source. */
export const OPENNESS: Readonly<Record<Visibility, number>> = { public: 2, unlisted: 1, private: 0 };

/** The visibilities a video derived from one of `source`'s visibility may have, most open first. */
export const visibilitiesWithin = (source: Visibility): Visibility[] =>
  VISIBILITIES.filter((visibility) => OPENNESS[visibility] <= OPENNESS[source]);
