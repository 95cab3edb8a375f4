/**
 * The JSON nesting bound shared by every reader of outside JSON (HTTP bodies, Kafka messages):
 * deeper input is refused before it is parsed, so no later recursive walk meets it. It lives in
 * contracts/ because both server/http and server/kafka need it.
 */
export const MAX_JSON_DEPTH = 400;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing and
 * without recursion; stops counting once `max` is passed.
 */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}
