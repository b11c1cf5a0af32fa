/**
 * Adds `value` to the list kept under `key`, starting the list if there is none. The list grows in place: building
 * groups as `map.set(key, [...(map.get(key) ?? []), value])` copies the group on every add, time and memory growing
 * with the square of its size.
 */
export const pushTo = <K, V>(lists: Map<K, V[]>, key: K, ...values: V[]): void => {
  const list = lists.get(key);
  if (list) list.push(...values);
  else lists.set(key, values);
};
