/** What simulated customers say: templates with slots, filled with seeded variety (names, places, typos, emoji). */
import type { Random } from './random.js';

export const firstNames = ['Maria', 'James', 'Aisha', 'Tomás', 'Li', 'Priya', 'Jonas', 'Fatima', 'Kevin', 'Sofia', 'Ahmed', 'Grace', 'Mateo', 'Hannah', 'Yuki', 'Oluwaseun', 'Chloe', 'Diego', 'Emma', 'Ravi', 'Lucía', 'Noah', 'Zara', 'Ben'];
export const lastNames = ['Garcia', 'Smith', 'Khan', 'Müller', 'Chen', 'Okafor', 'Rossi', 'Nguyen', 'Kowalski', 'Silva', 'Brown', 'Haddad', 'Johansson', 'Moreau', 'Patel', 'Walsh'];
export const cities = ['Springfield', 'Riverton', 'Lakeside', 'Port Allen', 'Fairview', 'Greenville', 'Oakridge', 'Brookhaven', 'Millbrook', 'Northgate'];
const products = ['Fibre 500', 'Unlimited Max plan', 'Family Share plan', '5G Home router', 'prepaid SIM', 'eSIM', 'TV Plus box', 'Travel Pass'];
const emoji = ['😡', '🙏', '😤', '❤️', '👍', '😭', '🤦', '🔥', '😊', '📶', '💸'];

const questions = [
  'how do I set up voicemail on my {product}?',
  'does the {product} work abroad? going to Spain next week',
  'what are your store hours in {city} on sunday?',
  'can I keep my number if I switch to the {product}?',
  'how do I activate my {product}, the QR code wont scan',
  'is there a student discount on the {product}?',
  '¿cómo puedo cambiar mi plan a {product}?',
  'where can I see my data usage this month?',
  'how long does it take to port my number over?',
];
const complaints = [
  'charged twice this month for my {product}, I want a refund',
  'third time calling about my bill and still no answer. unacceptable',
  'my {product} keeps dropping every 10 minutes, fix it',
  'waited 2 hours on hold, nobody picked up. worst service ever',
  'you raised my price without telling me, thinking about cancelling',
  'technician never showed up for my {product} install in {city}',
  'mi factura está mal, me cobraron de más otra vez',
  'if this is not fixed by friday I am filing a complaint with the regulator',
];
const praise = [
  'shoutout to the store team in {city}, sorted my {product} in 5 minutes',
  'the new {product} is honestly great, speeds are way up',
  'thanks for fixing my bill so quickly, really appreciate it',
  'best customer support chat I have had all year, thank you',
];
const promos = [
  'any deals on the {product} for existing customers?',
  'will there be a black friday offer on the {product}?',
  'my contract ends next month, what can you offer me to stay?',
  'do you have a promo code for the {product}? friend got 50% off',
];
const spam = [
  'EARN $500/day from home!!! click bit.ly/xx-cash-now',
  'Follow me for free crypto giveaways 🚀🚀 DM for details',
  'cheap followers and likes, best price, visit followers-shop.example',
  'Congratulations you won an iPhone, claim at prize-claim.example',
];
const outages = [
  'mobile data down in {city}??',
  'no data at all in {city} since this morning',
  'is the network down in {city}? my phone says no service',
  '4G not working in {city}, anyone else?',
  'data completely dead in {city} {emoji}',
  'mobile internet down in {city} again, I work from my phone!',
  'cant load anything on mobile data here in {city}',
  'outage in {city}? no signal for an hour now',
  'sin datos móviles en {city} desde hace una hora',
];
const followUps = [
  'still waiting on this, any update?',
  'I sent you a DM with my account details',
  'ok thanks, that worked!',
  'no that did not help, same problem',
  'hello?? is anyone there',
  'it is back now, thanks',
  'my account number is on the way in DM',
];

export type TopicKind = 'question' | 'complaint' | 'praise' | 'promo' | 'spam' | 'outage';
const pools: Record<TopicKind, readonly string[]> = { question: questions, complaint: complaints, praise, promo: promos, spam, outage: outages };

/** Drops or swaps a letter now and then, the way people type on phones. */
const typo = (text: string, random: Random): string => {
  if (text.length < 12 || !random.chance(0.25)) return text;
  const i = random.int(3, text.length - 3);
  return random.chance(0.5) ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + (text[i + 1] ?? '') + (text[i] ?? '') + text.slice(i + 2);
};

export const fillTemplate = (template: string, random: Random, slots: { city?: string } = {}): string =>
  template
    .replaceAll('{product}', () => random.pick(products))
    .replaceAll('{city}', () => slots.city ?? random.pick(cities))
    .replaceAll('{emoji}', () => random.pick(emoji));

/** One message body of a topic; outage messages can be pinned to the city of the current burst. */
export const sayText = (kind: TopicKind, random: Random, slots: { city?: string } = {}): string => {
  let text = typo(fillTemplate(random.pick(pools[kind]), random, slots), random);
  if (kind !== 'spam' && random.chance(0.2)) text += ` ${random.pick(emoji)}`;
  return text;
};

export const sayFollowUp = (random: Random): string => typo(random.pick(followUps), random);

export const personName = (random: Random): { first: string; last: string } => ({ first: random.pick(firstNames), last: random.pick(lastNames) });
