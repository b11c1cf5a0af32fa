/** What one platform identity tells about the person behind it. */
export interface IdentityFacts {
  platform: string;
  platformId: string;
  handle?: string;
  displayName?: string;
  email?: string;
  /** Proven by the person (a link clicked, a code entered), not merely typed. */
  emailVerified?: boolean;
  phone?: string;
  phoneVerified?: boolean;
  location?: string;
  /** Customer this identity was tied to through the secure private channel (a signed link the customer opened). */
  verifiedLinkCustomerId?: string;
}

/** `strong` merges automatically; `weak` is only a suggestion an agent accepts or rejects. */
export type IdentityStrength = 'strong' | 'weak' | 'none';

export type IdentityReason =
  | 'same_account'
  | 'same_verified_link'
  | 'same_verified_email'
  | 'same_verified_phone'
  | 'same_unverified_email'
  | 'same_unverified_phone'
  | 'same_email_local_part'
  | 'same_display_name_and_location'
  | 'similar_handles'
  | 'linked_to_different_customers';

export interface IdentityEvidence {
  strength: IdentityStrength;
  reasons: IdentityReason[];
}
