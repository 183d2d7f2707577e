// A request or message body as the console shows it: pretty-printed when it is JSON, the text as
// it is otherwise, and a note saying which (and whether the server cut it). Used for dead letters'
// payloads and rejected ingest requests. Pure.

/** The payload as shown: pretty JSON when it parses, else the text as it is. */
export function prettyPayload(body: unknown): string {
  if (typeof body !== 'string') return body === undefined || body === null ? '' : JSON.stringify(body, null, 2);
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export interface PayloadView {
  text: string; // what to put in the <pre>
  json: boolean; // whether it was pretty-printed
  note: string | null; // a line under it: cut, not JSON, empty
}

/** A body kept by the server, possibly only its first `keptBytes` (`truncated`), ready to show. */
export function payloadView(body: unknown, truncated = false, keptBytes = 2048): PayloadView {
  const text = typeof body === 'string' ? body : prettyPayload(body);
  if (text.trim() === '') return { text: '', json: false, note: 'The request had no body.' };
  const pretty = prettyPayload(text);
  let json = true;
  try {
    JSON.parse(text);
  } catch {
    json = false;
  }
  const kb = keptBytes % 1024 === 0 ? `${keptBytes / 1024} KB` : `${keptBytes} bytes`;
  if (truncated) {
    const how = json ? '' : ', shown as text as it was sent';
    return { text: json ? pretty : text, json, note: `Only the first ${kb} were kept${how}.` };
  }
  return { text: json ? pretty : text, json, note: json ? null : 'Not valid JSON: shown as it was sent.' };
}
