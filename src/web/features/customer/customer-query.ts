import type { ConversationDto, CustomerDto, IdentityDto } from '../../api/types.js';

export interface Customer360 {
  customer: CustomerDto;
  identities: IdentityDto[];
  conversations: ConversationDto[];
}

/** The cache key of a customer's 360 view, shared by the panel and the forms that change it. */
export const customer360Key = (id: string) => ['customer-360', id] as const;
