import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCheckReply } from './check-reply.js';
import { compileAllowed, phoneRegionsFrom, validateRegions } from './pii-allow.js';

async function run(input: string, opts?: Parameters<typeof runCheckReply>[2]): Promise<unknown[]> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  await runCheckReply(Readable.from([input]), output, opts);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('runCheckReply', () => {
  it('writes one verdict per line, public by default', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'Thanks, your card 4111 1111 1111 1111 is updated' }),
      JSON.stringify({ id: 'b', text: 'Thanks, your card 4111 1111 1111 1111 is updated', visibility: 'private' }),
      JSON.stringify({ id: 3, text: 'All fixed in version 2.3.14, sorry!' }),
    ].join('\n');
    expect(await run(input)).toEqual([
      { id: 'a', allowed: false, findings: [{ type: 'card', start: 18, end: 37 }] },
      { id: 'b', allowed: true, findings: [{ type: 'card', start: 18, end: 37 }] },
      { id: 3, allowed: true, findings: [] },
    ]);
  });

  it("gives the API's verdict with the workspace's allowed patterns: the hotline passes, other numbers and cards do not", async () => {
    const allowed = compileAllowed([{ type: 'phone', pattern: '+1 800 555 0100' }]);
    const input = [
      JSON.stringify({ id: 'hotline', text: 'Call us on +1 (800) 555-0100.' }),
      JSON.stringify({ id: 'other', text: 'We will call +1 415 555 0132.' }),
      JSON.stringify({ id: 'card', text: 'Card 4111 1111 1111 1111, hotline +1 800 555 0100' }),
    ].join('\n');
    const out = (await run(input, { allowed })) as { id: string; allowed: boolean }[];
    expect(out.map((o) => [o.id, o.allowed])).toEqual([['hotline', true], ['other', false], ['card', false]]);
  });

  it('reports bad lines and keeps going', async () => {
    const input = ['not json', '{"text":"no id"}', '{"id":"x","text":42}', '', '{"id":"ok","text":"mail a@b.io"}'].join('\r\n');
    const out = await run(input);
    expect(out).toHaveLength(4);
    expect(out[0]).toEqual({ id: null, error: 'line is not valid JSON' });
    expect(out[1]).toMatchObject({ id: null, error: expect.stringContaining('id') });
    expect(out[2]).toMatchObject({ id: 'x', error: expect.stringContaining('text') });
    expect(out[3]).toEqual({ id: 'ok', allowed: false, findings: [{ type: 'email', start: 5, end: 11 }] });
  });

  it('passes workspace options through', async () => {
    const out = await run(JSON.stringify({ id: 1, text: 'Your order #A123-456 shipped' }), { allow: ['order_number'] });
    expect(out).toEqual([{ id: 1, allowed: true, findings: [{ type: 'order_number', start: 12, end: 20 }] }]);
  });

  it("reads national phone numbers in the workspace's regions: a UK mobile is found only once GB is set", async () => {
    const input = JSON.stringify({ id: 'uk', text: 'Text us on 07911 123456 any time' });
    expect(await run(input)).toEqual([{ id: 'uk', allowed: true, findings: [] }]);
    expect(await run(input, phoneRegionsFrom(['GB']))).toEqual([{ id: 'uk', allowed: false, findings: [{ type: 'phone', start: 11, end: 23 }] }]);
    // A further region reads numbers with a trunk 0; the first still reads those without (US here).
    const us = JSON.stringify({ id: 'us', text: 'Call 415 555 0132' });
    expect(await run([input, us].join('\n'), phoneRegionsFrom(['US', 'GB']))).toMatchObject([{ id: 'uk', allowed: false }, { id: 'us', allowed: false }]);
  });
});

describe('validateRegions', () => {
  it('accepts ISO alpha-2 regions with a numbering plan, upper-cased without repeats, and names a bad entry', () => {
    expect(validateRegions(['gb', 'IE', 'GB'])).toEqual(['GB', 'IE']);
    expect(() => validateRegions(['GB', 'UK'])).toThrow(expect.objectContaining({ field: 'regions.1' }));
    expect(() => validateRegions(['GBR'])).toThrow(/ISO 3166/);
  });
});
