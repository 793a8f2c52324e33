// The pre-publication features of a content item, as the learning modules read them.

/** Features known before publishing (the proto's ContentFeatures plus the video length). */
export interface ContentFeatureValues {
  /** Length of the video in seconds. */
  durationS: number;
  /** Technical quality score, 0..1. */
  qualityScore: number;
  /** Aesthetic score, 0..1. */
  aestheticScore: number;
  captionLengthChars: number;
  /** A call to action appears within the first 5 seconds. */
  ctaInFirst5s: boolean;
  hashtagCount: number;
}
