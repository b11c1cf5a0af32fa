import { describe, expect, it } from 'vitest';
import { ListeningQueryError } from './ast.js';
import { compileToMastodonQuery } from './compile-mastodon.js';
import { compileToRedditSearch } from './compile-reddit.js';
import { compileToXRules } from './compile-x.js';
import { matchesListeningQuery, testListeningQuery } from './match.js';
import { parseListeningQuery, tryParseListeningQuery } from './parse.js';

const example = 'acme AND (outage OR "no signal") -hiring lang:en';

describe('parseListeningQuery', () => {
  it('parses the documented example with AND binding tighter than OR', () => {
    expect(parseListeningQuery(example)).toEqual({
      type: 'and',
      children: [
        { type: 'term', value: 'acme' },
        { type: 'or', children: [{ type: 'term', value: 'outage' }, { type: 'phrase', value: 'no signal' }] },
        { type: 'not', child: { type: 'term', value: 'hiring' } },
        { type: 'lang', value: 'en' },
      ],
    });
    expect(parseListeningQuery('a b OR c')).toEqual({ type: 'or', children: [{ type: 'and', children: [{ type: 'term', value: 'a' }, { type: 'term', value: 'b' }] }, { type: 'term', value: 'c' }] });
    expect(parseListeningQuery('from:@AcmeSupport wi-fi')).toEqual({ type: 'and', children: [{ type: 'from', value: 'acmesupport' }, { type: 'term', value: 'wi-fi' }] });
  });

  it.each([
    ['', 0, /empty/],
    ['acme (outage', 5, /never closed/],
    ['acme outage)', 11, /without a matching/],
    ['acme "no signal', 5, /unterminated/],
    ['acme AND', 5, /both sides/],
    ['OR acme', 0, /both sides/],
    ['acme OR OR x', 5, /both sides/],
    ['acme lang:english', 5, /lang:en/],
    ['-hiring', 0, /at least one keyword/],
    ['acme OR lang:en', 0, /at least one keyword/],
    ['acme ()', 5, /empty parentheses/],
    ['acme ""', 5, /empty quoted phrase/],
  ])('rejects %j at position %i', (query, position, message) => {
    const result = tryParseListeningQuery(query);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.position).toBe(position);
    expect(result.message).toMatch(message);
    expect(() => parseListeningQuery(query)).toThrow(ListeningQueryError);
  });
});

describe('matchesListeningQuery', () => {
  const ast = parseListeningQuery(example);
  it.each([
    ['Acme outage in Berlin again', 'en', true],
    ['ACME: "No   signal" since noon', 'eng', true],
    ['acme is hiring, outage of talent', 'en', false],
    ['acme outage', 'de', false],
    ['acme outage', null, false],
    ['acmes outage', 'en', false],
    ['#acme #outage', 'en', true],
  ])('%j (%s) → %s', (text, language, expected) => {
    expect(matchesListeningQuery(ast, { text, language })).toBe(expected);
  });

  it('matches from:, hashtags only as hashtags, and punctuated keywords as word sequences', () => {
    expect(matchesListeningQuery(parseListeningQuery('from:acme help'), { text: 'help', authorHandle: '@Acme' })).toBe(true);
    expect(matchesListeningQuery(parseListeningQuery('#acme'), { text: 'acme rocks' })).toBe(false);
    expect(matchesListeningQuery(parseListeningQuery('#acme'), { text: 'love #Acme' })).toBe(true);
    expect(matchesListeningQuery(parseListeningQuery('wi-fi'), { text: 'the Wi Fi is down' })).toBe(true);
    expect(matchesListeningQuery(parseListeningQuery('acme NOT (refund OR cancel)'), { text: 'acme cancel please' })).toBe(false);
  });

  it('tries a rule on recent messages', () => {
    const recent = [
      { id: 1, text: 'acme outage', language: 'en' },
      { id: 2, text: 'acme hiring outage', language: 'en' },
      { id: 3, text: 'acme no signal', language: 'en' },
    ];
    const result = testListeningQuery(parseListeningQuery(example), recent, 1);
    expect(result).toEqual({ total: 3, matchedCount: 2, matches: [recent[0]] });
  });
});

describe('compilers', () => {
  it('compiles to X rule syntax with exclusions pushed onto atoms', () => {
    expect(compileToXRules(parseListeningQuery(example), { tag: 'brand' })).toEqual([{ value: 'acme (outage OR "no signal") -hiring lang:en -is:retweet', tag: 'brand' }]);
    expect(compileToXRules(parseListeningQuery('acme -(refund OR "wi-fi")'), { tag: 't', excludeRetweets: false })).toEqual([{ value: 'acme -refund -"wi-fi"', tag: 't' }]);
    expect(compileToXRules(parseListeningQuery('acme -(refund cancel)'), { tag: 't', excludeRetweets: false })[0]?.value).toBe('acme (-refund OR -cancel)');
    expect(compileToXRules(parseListeningQuery('a OR b c'), { tag: 't' })[0]?.value).toBe('(a OR b c) -is:retweet');
  });

  it('splits an over-long OR into several X rules and refuses what cannot be split', () => {
    const words = Array.from({ length: 60 }, (_, i) => `keyword${i}`);
    const rules = compileToXRules(parseListeningQuery(words.join(' OR ')), { tag: 't', maxLength: 120 });
    expect(rules.length).toBeGreaterThan(1);
    for (const rule of rules) expect(rule.value.length).toBeLessThanOrEqual(120);
    expect(rules.flatMap((r) => r.value.replace(/[()]|-is:retweet/g, '').split(' OR ').map((s) => s.trim()))).toEqual(words);
    expect(() => compileToXRules(parseListeningQuery(words.join(' ')), { tag: 't', maxLength: 120 })).toThrow(/cannot be split/);
  });

  it('compiles to Reddit search, widening lang: and marking the result inexact', () => {
    expect(compileToRedditSearch(parseListeningQuery(example))).toEqual({ q: 'acme AND (outage OR "no signal") AND NOT hiring', exact: false });
    expect(compileToRedditSearch(parseListeningQuery('from:acme_help (refund OR chargeback)'))).toEqual({ q: 'author:acme_help AND (refund OR chargeback)', exact: true });
  });

  it('plans Mastodon hashtag streams when every branch carries a hashtag, else the public timeline', () => {
    expect(compileToMastodonQuery(parseListeningQuery('(#acme OR #acmesupport) outage'))).toMatchObject({
      source: 'hashtag',
      hashtags: ['acme', 'acmesupport'],
      streams: ['stream=hashtag&tag=acme', 'stream=hashtag&tag=acmesupport'],
      timelinePaths: ['/api/v1/timelines/tag/acme?any[]=acmesupport&limit=40'],
    });
    expect(compileToMastodonQuery(parseListeningQuery('#acme OR outage')).source).toBe('public');
    expect(compileToMastodonQuery(parseListeningQuery('acme outage'), { keywordsAsHashtags: true }).hashtags).toEqual(['acme']);
  });
});
