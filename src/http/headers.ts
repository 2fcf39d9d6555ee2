// Reading one response header (undici gives lower-case names; a repeated header is an array).
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export function header(h: ResponseHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
