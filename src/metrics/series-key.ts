/**
 * A canonical text key for one series: `name{a="x",b="y"}` with label names sorted and values
 * escaped as in the exposition format. Used to compare expected ("truth") values with what the
 * registry holds, independent of label order.
 */
export function seriesKey(name: string, labels: Readonly<Record<string, string | number>> = {}): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  const parts = names.map((k) => `${k}="${escapeLabelValue(String(labels[k]))}"`);
  return `${name}{${parts.join(',')}}`;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
