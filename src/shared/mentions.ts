/** How a teammate is @mentioned in an internal note: the local part of their e-mail address, lower-cased. */
export const mentionHandleOf = (email: string): string => (email.split('@')[0] ?? email).toLowerCase();

/** The @handles a note mentions, in order, without repeats. */
export const mentionsIn = (body: string): string[] => [...new Set([...body.matchAll(/(?:^|[^\w.@-])@([\w.-]*\w)/g)].map((m) => (m[1] as string).toLowerCase()))];
