// The Platform enum of the contract ⇄ the text stored in `platform` columns ('tiktok', …).

/** Stored names by enum number (PLATFORM_TIKTOK = 1 … PLATFORM_X = 5); index 0 is "unspecified". */
const PLATFORM_NAMES = ['', 'tiktok', 'instagram', 'youtube', 'facebook', 'x'] as const;

export type PlatformName = Exclude<(typeof PLATFORM_NAMES)[number], ''>;

/** Every platform's name, in enum order. */
export const PLATFORMS: readonly PlatformName[] = PLATFORM_NAMES.slice(1) as PlatformName[];

/** The stored name of a platform enum value, or undefined when unspecified or unknown. */
export function platformName(platform: number): PlatformName | undefined {
  return Number.isInteger(platform) && platform > 0 && platform < PLATFORM_NAMES.length ? (PLATFORM_NAMES[platform] as PlatformName) : undefined;
}

/** The enum value of a stored platform name; 0 (unspecified) for anything else. */
export function platformNumber(name: string): number {
  const index = PLATFORM_NAMES.indexOf(name as PlatformName);
  return Math.max(index, 0);
}

const BRANDS: Record<string, string> = { tiktok: 'TikTok', instagram: 'Instagram', youtube: 'YouTube', facebook: 'Facebook', x: 'X' };

/** A platform as its brand writes it ("tiktok" → "TikTok"), for sentences people read; unknown names unchanged. */
export function brandName(platform: string): string {
  return BRANDS[platform] ?? platform;
}
