// Text from servers (record titles, user names, status messages, error details) is printed to a
// terminal: a title holding ESC ] 0 ; … BEL would rename the terminal window, ESC [ 2 J clear the
// screen, a carriage return or backspace overwrite what rdp printed, and any of them break a table.
// Like gh, rdp removes control characters from human output: escape sequences whole (CSI, OSC, DCS
// and the other string controls, two-byte escapes), then every C0 control but tab and newline, DEL,
// and the C1 controls. JSON output keeps the text as the server sent it (JSON escapes it).

const ESCAPES = new RegExp(
  [
    '\\u001b\\[[0-?]*[ -/]*[@-~]', // CSI: ESC [ parameters intermediates final
    '\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?', // OSC … BEL or ST
    '\\u001b[PX^_][^\\u001b]*(?:\\u001b\\\\)?', // DCS, SOS, PM, APC … ST
    '\\u001b[ -/]*[0-~]?', // other escapes (ESC c, ESC ( B, a lone ESC)
  ].join('|'),
  'g',
);
// C0 controls except tab (09) and newline (0a), DEL, C1 controls (incl. the one-byte CSI/OSC forms).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The SGR sequences rdp's own styles (chalk: bold, dim, red, green, yellow, cyan) write. */
const OWN_STYLES = /\u001b\[(?:1|2|22|31|32|33|36|39)m/g;

/** `text` without terminal control characters. */
export function stripControls(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/**
 * Human output for a terminal: control characters removed, except, when rdp styles its output, the
 * colour and weight sequences its styles write.
 */
export function sanitizeForTerminal(text: string, keepStyles: boolean): string {
  if (!keepStyles || !text.includes('\u001b[')) return stripControls(text);
  const kept: string[] = [];
  const marked = text.replace(/\u0000/g, '').replace(OWN_STYLES, (m) => `\u0000${kept.push(m) - 1}\u0000`);
  // The markers use NUL, which stripControls would remove: cut the text at them instead.
  return marked
    .split(/\u0000(\d+)\u0000/)
    .map((part, i) => (i % 2 === 1 ? (kept[Number(part)] as string) : stripControls(part)))
    .join('');
}
