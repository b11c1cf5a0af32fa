import type { Envelope } from '../../src/shared/envelope.js';

const openers = ['@AcmeTelecom', 'Hey @AcmeTelecom', '@AcmeCare', 'Acme support:'];
const problems = [
  'my broadband has been down since 7am and the status page says nothing',
  'why was I charged twice this month? I want a refund',
  'cannot log in to the app, password reset email never arrives',
  'the router you sent me is faulty, lights blinking red',
  'how do I change my plan to unlimited data?',
  'thanks for sorting my issue so quickly, great service!',
  'any discount codes for upgrading to fibre?',
  'no signal at all in Leeds city centre for two hours',
  'still waiting for my order to be delivered, it is a week late',
  'I will cancel my contract if this is not fixed today',
];

/** A deterministic stream of X-like envelopes where `replyShare` of them answer an earlier one in its thread. */
export const generateEnvelopes = (channelId: string, count: number, options: { replyShare?: number; seed?: number; start?: number } = {}): Envelope[] => {
  let state = options.seed ?? 42;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const start = options.start ?? Date.now() - count * 10;
  const out: Envelope[] = [];
  const roots: { externalId: string; author: Envelope['author'] }[] = [];
  for (let i = 0; i < count; i += 1) {
    const externalId = String(1_900_000_000_000_000_000n + BigInt(i));
    const isReply = roots.length > 0 && rand() < (options.replyShare ?? 0.3);
    const root = isReply ? roots[Math.floor(rand() * roots.length)]! : null;
    const userNo = Math.floor(rand() * count);
    const author = root ? root.author : { platformId: `u${userNo}`, handle: `user${userNo}`, displayName: `User ${userNo}`, followers: Math.floor(rand() ** 4 * 2_000_000), verified: rand() < 0.02 };
    out.push({
      channelId,
      externalId,
      kind: root ? 'reply' : 'post',
      visibility: 'public',
      author,
      text: `${openers[Math.floor(rand() * openers.length)]} ${problems[Math.floor(rand() * problems.length)]} #${i % 97}`,
      attachments: [],
      inReplyTo: root?.externalId ?? null,
      threadKey: root?.externalId ?? externalId,
      createdAt: new Date(start + i * 10).toISOString(),
    });
    if (!root && roots.length < 5000) roots.push({ externalId, author });
  }
  return out;
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
