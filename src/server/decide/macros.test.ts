import { describe, expect, it } from 'vitest';
import { measureForChannel } from './channel-limits.js';
import { macroSchema, macroVariables, renderMacro } from './macros.js';

const macro = macroSchema.parse({
  id: 'm1',
  name: 'Outage apology',
  body: 'Hi {{customer.name}}, sorry about the outage on {{ incident.title }}. Updates: {{incident.url}}',
  variants: { x: 'Sorry {{customer.name}}! Fix in progress: {{incident.url}}' },
});
const vars = { customer: { name: 'Ana' }, incident: { title: 'payments', url: 'https://status.example.com/i/42' } };

describe('renderMacro', () => {
  it('fills variables and uses the channel variant', () => {
    expect(renderMacro(macro, 'facebook', vars)).toMatchObject({ ok: true, text: 'Hi Ana, sorry about the outage on payments. Updates: https://status.example.com/i/42' });
    expect(renderMacro(macro, 'x', vars)).toMatchObject({ ok: true, text: 'Sorry Ana! Fix in progress: https://status.example.com/i/42', max: 280 });
  });

  it('reports unknown and empty variables instead of leaving blanks', () => {
    const r = renderMacro(macro, 'facebook', { customer: { name: '' }, incident: { title: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ code: 'empty_value', name: 'customer.name' }, { code: 'unknown_variable', name: 'incident.url' }]);
    const proto = renderMacro(macroSchema.parse({ id: 'p', name: 'p', body: '{{customer.constructor}}' }), 'x', vars);
    expect(proto).toMatchObject({ ok: false, errors: [{ code: 'unknown_variable' }] });
  });

  it('never re-expands or trusts inserted values', () => {
    const sneaky = { ...vars, customer: { name: '{{incident.url}} <b>\u202Eboss</b>' } };
    const text = renderMacro(macro, 'facebook', sneaky);
    expect(text).toMatchObject({ ok: true });
    if (text.ok) expect(text.text.startsWith('Hi {{incident.url}} <b>boss</b>,')).toBe(true);
    const mail = renderMacro(macro, 'email', sneaky);
    if (mail.ok) expect(mail.text).toContain('Hi {{incident.url}} &lt;b&gt;boss&lt;/b&gt;,');
    else throw new Error('email render failed');
  });

  it('supports a literal {{ and reports syntax errors', () => {
    const lit = renderMacro(macroSchema.parse({ id: 'l', name: 'l', body: 'use \\{{name}} literally' }), 'x', {});
    expect(lit).toMatchObject({ ok: true, text: 'use {{name}} literally' });
    expect(renderMacro(macroSchema.parse({ id: 's', name: 's', body: 'Hi {{customer.name' }), 'x', vars)).toMatchObject({ ok: false, errors: [{ code: 'syntax' }] });
  });

  it('reports a reply over the channel limit with its measured length', () => {
    const long = macroSchema.parse({ id: 'long', name: 'long', body: '{{customer.name}} ' + 'a'.repeat(280) });
    const r = renderMacro(long, 'x', vars);
    expect(r).toMatchObject({ ok: false, errors: [{ code: 'too_long', length: 284, max: 280 }] });
    expect(renderMacro(long, 'mastodon', vars).ok).toBe(true);
  });

  it('lists the variables a macro uses', () => {
    expect(macroVariables(macro).sort()).toEqual(['customer.name', 'incident.title', 'incident.url']);
  });
});

describe('measureForChannel', () => {
  it('counts X links as 23 and CJK or emoji as 2', () => {
    expect(measureForChannel('see https://example.com/a/very/long/path/indeed', 'x').length).toBe(4 + 23);
    expect(measureForChannel('日本', 'x').length).toBe(4);
    expect(measureForChannel('👍🏽 ok', 'x').length).toBe(5);
  });

  it('uses GSM-7 septets or a 70-unit UCS-2 segment for SMS', () => {
    expect(measureForChannel('Hi [you]', 'sms')).toEqual({ length: 10, max: 160, unit: 'sms' });
    expect(measureForChannel('Привет', 'sms')).toEqual({ length: 6, max: 70, unit: 'sms' });
  });

  it('counts graphemes on Bluesky', () => {
    expect(measureForChannel('👩‍👩‍👧 hi', 'bluesky').length).toBe(4);
  });
});
