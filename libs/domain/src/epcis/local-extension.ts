/**
 * EPCIS XML allows elements in no namespace in its `##local` extension slots (1.2's
 * `ObjectEvent/extension/extension`, `baseExtension/extension`, `readPoint/extension`,
 * `ilmd/extension`, ... : the places the standard kept for its own later versions), and GS1's own
 * 1.2 examples use them. JSON-LD has no unprefixed extension, so such an element is carried under a
 * namespace reserved for exactly this: `pdlocal:myField` is "the element `myField` in no
 * namespace". The XML writers put it back in the same slot, unqualified; where a version has no
 * `##local` slot (EPCIS 2.0 at event level) it is written as a `pdlocal:` element, and read back
 * to the same key. The event hash names it `myField`, as an unqualified element is named by the
 * CBV 2.0 rule for user extensions (`{namespace}localName`, without the braces when there is no
 * namespace) and by GS1's reference implementation reading the 1.2 XML.
 */
export const LOCAL_EXTENSION_PREFIX = 'pdlocal';
/** Stable: documents and event hashes depend on it. Never change it. */
export const LOCAL_EXTENSION_NS = 'urn:pedigree:epcis:xml-local:';
/**
 * 1.2's `baseExtension/extension` slot (beside eventID and errorDeclaration) is a second slot on
 * the event itself; its elements are kept apart under this key so each goes back where it was.
 */
export const LOCAL_BASE_EXTENSION_KEY = `${LOCAL_EXTENSION_PREFIX}:baseExtension`;

const PREFIX = `${LOCAL_EXTENSION_PREFIX}:`;

/** `pdlocal:myField` -> `myField`; undefined for any other key. */
export function localExtensionName(key: string): string | undefined {
  return key.startsWith(PREFIX) ? key.slice(PREFIX.length) : undefined;
}

export function localExtensionKey(localName: string): string {
  return PREFIX + localName;
}
