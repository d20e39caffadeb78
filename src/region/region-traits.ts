import type { Region } from './region.js';

/**
 * What a region does that S3 services differ on, learned from its own answers (never assumed): each trait is
 * undefined until an answer shows it, and the shipper asks the long way round until then. `countsTags` may also be
 * declared in the region's configuration, by an operator who knows the service.
 */
export interface RegionTraits {
  /** Its GET answers carry x-amz-tagging-count whenever an object has tags (S3, RGW; s3rver never does). */
  countsTags?: boolean;
  /** A PUT with x-amz-tagging stores exactly those tags (S3, RGW; s3rver ignores the header). */
  tagsOnPut?: boolean;
  /** Overwriting an object with a PUT drops the tags it had (S3, RGW; s3rver keeps them). */
  resetsTagsOnPut?: boolean;
}

const traits = new WeakMap<Region, RegionTraits>();

/** The traits learned so far for one region (one object per region, kept as long as the region is). */
export function traitsOf(region: Region): RegionTraits {
  let t = traits.get(region);
  if (!t) traits.set(region, t = {});
  return t;
}
