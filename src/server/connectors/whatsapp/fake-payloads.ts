/** WhatsApp Cloud API webhook bodies as the fake driver posts them (CONNECTORS.md §7). */

export const fakeWaba = { wabaId: '102290129340398', phoneNumberId: '106540352242922', displayPhone: '15550783881' };

function wrap(value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: fakeWaba.wabaId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: fakeWaba.displayPhone, phone_number_id: fakeWaba.phoneNumberId }, ...value } }] }],
  };
}

export function whatsappTextMessage(input: { id: string; from: string; name: string; text: string; contextId?: string }): Record<string, unknown> {
  return wrap({
    contacts: [{ profile: { name: input.name }, wa_id: input.from }],
    messages: [
      {
        from: input.from,
        id: input.id,
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: 'text',
        text: { body: input.text },
        ...(input.contextId ? { context: { from: fakeWaba.displayPhone, id: input.contextId } } : {}),
      },
    ],
  });
}

export function whatsappStatus(input: { id: string; recipient: string; status: 'sent' | 'delivered' | 'read' | 'failed' }): Record<string, unknown> {
  return wrap({ statuses: [{ id: input.id, status: input.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: input.recipient }] });
}

export function whatsappMessageOfType(input: { id: string; from: string; type: string; body: Record<string, unknown> }): Record<string, unknown> {
  return wrap({
    contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: input.from }],
    messages: [{ from: input.from, id: input.id, timestamp: String(Math.floor(Date.now() / 1000)), type: input.type, [input.type]: input.body }],
  });
}
