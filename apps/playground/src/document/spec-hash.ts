/**
 * The URL hash that shares a spec: `#spec=` and the spec's text as base64url of its UTF-8 bytes,
 * so any text survives the round trip through a link.
 */
export function specToHash(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `#spec=${btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}`;
}

/** The spec text in a hash made by {@link specToHash}, or `undefined` when the hash holds none (or is damaged). */
export function specFromHash(hash: string): string | undefined {
  const match = /^#?spec=([A-Za-z0-9_-]*)$/.exec(hash);
  if (match === null) return undefined;
  try {
    const binary = atob(match[1]!.replaceAll('-', '+').replaceAll('_', '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
}
