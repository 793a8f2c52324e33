// SQL fragments shared by the learning area's repositories: a post's latest outcome and earliest hook loss as
// known before :until, and the content columns a prediction reads.

// NOTE: "latest observation" is per post and bounded by :until, so a run for a past day never sees later data.
export const LATEST_VIEWS = `
  join lateral (
    select r.views::float8 as views from retention_metrics r
     where r.tenant_id = p.tenant_id and r.post_id = p.post_id and r.observed_at < :until
     order by r.observed_at desc limit 1
  ) latest on true
  left join lateral (
    select (m.likes + m.comments + m.shares + m.saves)::float8 as interactions from engagement_metrics m
     where m.tenant_id = p.tenant_id and m.post_id = p.post_id and m.observed_at < :until
     order by m.observed_at desc limit 1
  ) engagement on true`;

/** The post's first-3-s loss at its earliest observation before :until (the hook, as the audience first met it). */
export const EARLIEST_FIRST_3S_LOSS = `
  left join lateral (
    select r.skip_rate_first_3s as first_3s_loss from retention_metrics r
     where r.tenant_id = p.tenant_id and r.post_id = p.post_id and r.observed_at < :until
     order by r.observed_at asc limit 1
  ) early on true`;

export const CONTENT_COLUMNS = `c.duration_s as "durationS", c.quality_score as "qualityScore", c.aesthetic_score as "aestheticScore",
  c.caption_length_chars as "captionLengthChars", c.cta_in_first_5s as "ctaInFirst5s", c.hashtag_count as "hashtagCount"`;
