// Small readings of FHIR data the screens share.

// The text of a base64 attachment (whitespace allowed, as FHIR allows it); "" when it is not
// base64.
export function decodeText(data: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(data.replace(/\s/g, "")), (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}

// An identifier's value as a screen may show it: a Social Security number by its last four digits
// only (minimum necessary); null when there is no value.
export function shownIdentifier(identifier: any): string | null {
  if (!identifier?.value) return null;
  const value = String(identifier.value);
  return String(identifier.system ?? "").endsWith("us-ssn") ? `***-**-${value.slice(-4)}` : value;
}
