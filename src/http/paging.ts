// What the services' pagers share. An item changed while a list is read moves up and shows again on a
// later page, and a server that ignores the page parameter sends the same page again and again: each
// item is kept once, and a page that brings nothing new ends the walk (the caller stops on an empty result).

/** The items of a page not seen on an earlier one (by `key`), now remembered in `seen`. */
export function unseen<T, K>(items: Iterable<T>, key: (item: T) => K, seen: Set<K>): T[] {
  const fresh: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    fresh.push(item);
  }
  return fresh;
}
