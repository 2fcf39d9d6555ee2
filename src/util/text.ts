/** "The keychain…" -> "the keychain…", to continue a sentence with another message. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
