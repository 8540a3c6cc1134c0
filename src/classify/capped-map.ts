/** Map.set that drops (and counts) the oldest entry past `cap`. Returns 1 when one was dropped. */
export function setCapped<K, V>(map: Map<K, V>, key: K, value: V, cap: number): number {
  if (map.has(key)) map.delete(key); // re-insert as newest
  map.set(key, value);
  if (map.size > cap) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
    return 1;
  }
  return 0;
}
