import type { Envelope } from '../../src/shared/envelope.js';

const openers = ['@AcmeTelecom', 'Hey @AcmeTelecom', '@AcmeCare', 'Acme support:', '@AcmeTelecom hi,', 'so @AcmeTelecom', '', 'Dear Acme,'];
const problems = [
  'my broadband has been down since {time}', 'why was I charged twice for {month}? I want a refund', 'cannot log in to the app, the reset email never arrives',
  'the {device} you sent me is faulty', 'how do I change my plan to {plan}?', 'thanks {agent} for sorting my issue so quickly!', 'any discount codes for {plan}?',
  'no signal at all in {city} since {time}', 'still waiting for my {device} to be delivered', 'I will cancel my contract if this is not fixed today',
  'my bill went up by {amount} without warning', 'the engineer never showed up for my appointment in {city}', 'roaming does not work in {country}',
  'can I keep my number if I move to {city}?', 'your hold music is the only reliable thing about you', 'wifi drops every evening around {time}',
  'my {device} keeps rebooting after the update', 'love the new app design, much faster', 'is there an outage in {city}? nothing loads',
  'the chat bot keeps sending me in circles', 'porting my number has taken {days} days', 'who do I complain to about {agent}?',
  'direct debit failed but I have money in my account', 'my parents in {city} have had no landline for {days} days', 'speed test shows {speed} instead of 500',
  'got a text saying my account is suspended, is it real?', 'how long does the {plan} contract last?', 'upgrade offer page crashes at checkout',
  'voicemail stopped working on my {device}', 'moving house next week, how do I transfer my broadband?',
];
const fills: Record<string, string[]> = {
  time: ['7am', 'this morning', 'yesterday', 'midnight', 'lunchtime', 'Friday', '6pm', 'the weekend'],
  month: ['November', 'October', 'last month', 'this month'], device: ['router', 'phone', 'SIM', 'tablet', 'hub', 'modem', 'booster'],
  plan: ['unlimited data', 'fibre 900', 'the family plan', 'SIM only', 'the student deal'], agent: ['Sam', 'Priya', 'Tom', 'the team', 'Jo'],
  city: ['Leeds', 'Bristol', 'Manchester', 'Glasgow', 'Cardiff', 'Leicester', 'Norwich', 'York', 'Brighton', 'Derby', 'Bath', 'Hull'],
  amount: ['£12', '£30', '£7.50', '20%'], country: ['Spain', 'France', 'Italy', 'the US', 'Portugal'], days: ['3', '5', '9', '12', '20'],
  speed: ['12 Mbps', '40 Mbps', '3 Mbps', '90 Mbps'],
};
const closers = ['', '', ' 😡', ' 🙏', ' #fail', ' please help', ' thanks', ' !!!', ' ffs', ' any update?'];

const fillTemplate = (template: string, rand: () => number): string =>
  template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const options = fills[key] ?? [key];
    return options[Math.floor(rand() * options.length)]!;
  });

/** A post others answer in its thread: its author (and the number the author's names were made from) and text. */
interface Root {
  externalId: string;
  author: Envelope['author'];
  authorNo: number;
  text: string;
}

/**
 * The post as X's filtered stream delivers it (CONNECTORS.md 1.3: the fields and expansions Parley asks for), which
 * the X connector keeps as the envelope's raw payload: ingest stores it with the message, as it stores every real
 * one. Made from the envelope, its author's number and the post it answers, without drawing from the generator's
 * random sequence: the stream is the same with or without it.
 */
const xStreamPost = (e: Omit<Envelope, 'raw'>, userNo: number, repliedTo: Root | null): Record<string, unknown> => {
  const mention = /@Acme(Telecom|Care)/.exec(e.text);
  return {
    data: {
      id: e.externalId,
      text: e.text,
      author_id: e.author.platformId,
      created_at: e.createdAt,
      conversation_id: e.threadKey,
      edit_history_tweet_ids: [e.externalId],
      lang: 'en',
      ...(mention ? { entities: { mentions: [{ start: mention.index, end: mention.index + mention[0].length, username: mention[0].slice(1), id: '999' }] } } : {}),
      ...(repliedTo ? { referenced_tweets: [{ type: 'replied_to', id: repliedTo.externalId }], in_reply_to_user_id: repliedTo.author.platformId } : {}),
    },
    includes: {
      users: [
        {
          id: e.author.platformId,
          name: e.author.displayName,
          username: e.author.handle,
          verified: e.author.verified,
          profile_image_url: `https://pbs.twimg.com/profile_images/${1_600_000_000_000_000_000n + BigInt(userNo)}/${e.author.handle}_normal.jpg`,
          public_metrics: { followers_count: e.author.followers, following_count: userNo % 900, tweet_count: (userNo * 7) % 20_000, listed_count: userNo % 5, like_count: (userNo * 13) % 30_000 },
        },
      ],
      // expansions=referenced_tweets.id: the post it answers.
      ...(repliedTo ? { tweets: [{ id: repliedTo.externalId, text: repliedTo.text, author_id: repliedTo.author.platformId }] } : {}),
    },
    matching_rules: [{ id: '1273026480692322304', tag: 'brand' }],
  };
};

/**
 * A deterministic stream of X-like envelopes where `replyShare` of them answer an earlier one in its thread. Messages
 * are spread over `spanMs` ending now (default 20 minutes, a busy brand's rate): live traffic, not one giant burst or
 * a stale backlog. Each carries its post's raw payload, as the X connector's envelopes do, unless `raw` is false.
 */
export const generateEnvelopes = (channelId: string, count: number, options: { replyShare?: number; seed?: number; start?: number; spanMs?: number; raw?: boolean } = {}): Envelope[] => {
  let state = options.seed ?? 42;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const spanMs = options.spanMs ?? 20 * 60 * 1000;
  const step = spanMs / count;
  const start = options.start ?? Date.now() - spanMs;
  const out: Envelope[] = [];
  const roots: Root[] = [];
  for (let i = 0; i < count; i += 1) {
    const externalId = String(1_900_000_000_000_000_000n + BigInt(i));
    const isReply = roots.length > 0 && rand() < (options.replyShare ?? 0.3);
    const root = isReply ? roots[Math.floor(rand() * roots.length)]! : null;
    const userNo = Math.floor(rand() * count);
    const authorNo = root ? root.authorNo : userNo;
    const author = root ? root.author : { platformId: `u${userNo}`, handle: `user${userNo}`, displayName: `User ${userNo}`, followers: Math.floor(rand() ** 4 * 2_000_000), verified: rand() < 0.02 };
    const envelope: Envelope = {
      channelId,
      externalId,
      kind: root ? 'reply' : 'post',
      visibility: 'public',
      author,
      text: `${openers[Math.floor(rand() * openers.length)]} ${fillTemplate(problems[Math.floor(rand() * problems.length)]!, rand)}${closers[Math.floor(rand() * closers.length)]}`.trim(),
      attachments: [],
      inReplyTo: root?.externalId ?? null,
      threadKey: root?.externalId ?? externalId,
      createdAt: new Date(Math.round(start + i * step)).toISOString(),
    };
    out.push(options.raw === false ? envelope : { ...envelope, raw: xStreamPost(envelope, authorNo, root) });
    if (!root && roots.length < 5000) roots.push({ externalId, author, authorNo, text: envelope.text });
  }
  return out;
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
