import type { ListeningNode } from './ast.js';
import { toDisjunctiveNormalForm } from './normalize.js';

export interface MastodonListeningPlan {
  /**
   * `hashtag`: every match must carry one of `hashtags`, so following those tags sees them all.
   * `public`: no such tag exists, so Parley reads the public timeline and filters it itself.
   */
  source: 'hashtag' | 'public';
  /** Lower-case, without `#`. */
  hashtags: string[];
  /** Streaming API query strings for `/api/v1/streaming`. */
  streams: string[];
  /** REST timeline paths (with query) for catch-up polling. */
  timelinePaths: string[];
  /** Always true: hashtag and public timelines are coarse, so run matchesListeningQuery on each status. */
  localFilter: true;
}

export interface MastodonCompileOptions {
  /**
   * Count single plain keywords as hashtags. Full-text search on Mastodon covers only opted-in posts,
   * so many brands follow `#acme` for `acme`; this trades recall on untagged posts for a lighter feed.
   */
  keywordsAsHashtags?: boolean;
}

/** Plan how to listen on a Mastodon server for a query: hashtag streams when they suffice, else the public timeline. */
export function compileToMastodonQuery(ast: ListeningNode, options: MastodonCompileOptions = {}): MastodonListeningPlan {
  const publicPlan: MastodonListeningPlan = {
    source: 'public',
    hashtags: [],
    streams: ['stream=public'],
    timelinePaths: ['/api/v1/timelines/public?limit=40'],
    localFilter: true,
  };
  const dnf = toDisjunctiveNormalForm(ast);
  if (!dnf) return publicPlan;
  const tags = new Set<string>();
  for (const conjunct of dnf) {
    const tag = conjunct.find(
      (l) => !l.negated && l.atom.type === 'term' && (l.atom.value.startsWith('#') || (options.keywordsAsHashtags && /^[\p{L}\p{N}_]+$/u.test(l.atom.value))),
    );
    if (!tag) return publicPlan;
    tags.add(tag.atom.value.replace(/^#/, ''));
  }
  const hashtags = [...tags].sort();
  const [first = '', ...rest] = hashtags;
  const any = rest.map((t) => `any[]=${encodeURIComponent(t)}`);
  return {
    source: 'hashtag',
    hashtags,
    streams: hashtags.map((t) => `stream=hashtag&tag=${encodeURIComponent(t)}`),
    timelinePaths: [`/api/v1/timelines/tag/${encodeURIComponent(first)}?${[...any, 'limit=40'].join('&')}`],
    localFilter: true,
  };
}
