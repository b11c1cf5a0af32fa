import { describe, expect, it } from 'vitest';
import { createClassifier } from './index.js';
import { MAX_TEXT_CHARS } from './features/tokenize.js';

const classifier = createClassifier();
const one = (text: string) => classifier.classify([text])[0]!;

describe('shipped classifier', () => {
  it('labels obvious sentiment', () => {
    expect(one('I love this, thank you so much, you are amazing!').sentiment.label).toBe('positive');
    expect(one('This is the worst service ever, I hate it, absolutely awful').sentiment.label).toBe(
      'negative',
    );
    const scores = one('the store opens at 9').sentiment.scores;
    expect(scores.negative + scores.neutral + scores.positive).toBeCloseTo(1, 5);
  });

  it('labels obvious intents of the default taxonomy', () => {
    expect(one('my internet is down again, nothing loads').intent.label).toBe('outage');
    expect(one('why was I charged twice on my bill this month?').intent.label).toBe('billing');
    expect(one("I can't log in, the password reset email never arrives").intent.label).toBe('account_access');
    expect(one('where is my parcel? tracking has not updated for a week').intent.label).toBe(
      'order_delivery',
    );
    expect(one('please cancel my subscription, I am switching provider').intent.label).toBe('cancellation');
  });

  it('flags escalation risks, urgency, spam and response need', () => {
    const legal = one(
      'If this is not fixed today my lawyer will be in touch and I will report you to the ombudsman',
    );
    expect(legal.escalation).toEqual(expect.arrayContaining(['legal', 'regulator']));
    expect(['high', 'critical']).toContain(legal.urgency);
    const fire = one('my charger caught fire and burned the carpet');
    expect(fire.escalation).toContain('safety');
    expect(fire.urgency).toBe('critical');
    const spam = one('earn $500 a day from home!!! click the link in my bio bit.ly/abc');
    expect(spam.spam).toBe(true);
    expect(spam.needsResponse).toBe(false);
    expect(one('how do I change my delivery address?').needsResponse).toBe(true);
    expect(one('you are a stupid worthless idiot').abusive).toBe(true);
    expect(one('thanks for the quick help today').abusive).toBe(false);
  });

  it('detects language with a short-text fallback', () => {
    expect(one('where is my order, it was due yesterday').language).toBe('en');
    expect(one('mi pedido no ha llegado y nadie me responde, qué vergüenza').language).toBe('es');
    expect(one('ok').language).toBe('und');
    expect(one('注文した商品がまだ届きません').language).toBe('ja');
    // Emoji and a curly apostrophe leave an English text to the stop-word rule; franc called these fr and de.
    expect(one('@user Who talks shit on buff chicken dip dude it’s buff chicken dip').language).toBe('en');
    expect(one('@user @user @user @user Your school got piped by Georgia 😂').language).toBe('en');
  });

  it('explains each label with readable features', () => {
    const result = one('I hate waiting, this is terrible');
    const sentiment = result.explanations.find((e) => e.label === 'sentiment');
    expect(sentiment?.features.length).toBeGreaterThan(0);
    expect(sentiment?.features.some((f) => /hate|terrible|negative/.test(f))).toBe(true);
    expect(result.modelVersion).toBe(classifier.version);
  });

  it('never throws and returns a valid result on hostile input', () => {
    const inputs = [
      '',
      ' ',
      '😀😀😀',
      '\u0000\u0001\u0002\ud800\udfff\ud800',
      'x'.repeat(100_000),
      'Привет مرحبا 你好 hello 🎉',
      '\n\t\r',
    ];
    const results = classifier.classify(inputs);
    expect(results).toHaveLength(inputs.length);
    for (const r of results) {
      expect(['negative', 'neutral', 'positive']).toContain(r.sentiment.label);
      expect(Number.isFinite(r.intent.score)).toBe(true);
      expect(['low', 'normal', 'high', 'critical']).toContain(r.urgency);
      expect(typeof r.language).toBe('string');
    }
    const huge = results[4]!;
    expect(huge.explanations.find((e) => e.label === 'input')?.features[0]).toContain(String(MAX_TEXT_CHARS));
    const unsafe = classifier.classify([null, undefined, 42] as unknown as string[]);
    expect(unsafe).toHaveLength(3);
  });

  it('is deterministic across calls and batch positions', () => {
    const texts = ['my bill is wrong', 'love the new app', 'is the site down?'];
    expect(classifier.classify(texts)).toEqual(texts.map((t) => one(t)));
  });
});
