const complaints = [
  'my order #{n} never arrived and support is silent',
  'the app logs me out every time I open it, third day now',
  'charged twice for the same subscription, refund please',
  'thanks, the replacement arrived quickly! café crème ☕',
  'is the checkout down? getting error 502 since this morning',
];

/** The `n`th of a few everyday complaints, with its own order number: text for webhook benchmark payloads. */
export const say = (n: number): string => (complaints[n % complaints.length] ?? '').replace('{n}', String(1000 + n));
