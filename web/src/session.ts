// The signed-in user: the bearer token the server issued at /auth/login, the roles and user name
// it carries (read from its payload for the navigation only; the server checks the signature on
// every call), and the idle timeout that ends it.

export interface Session {
  token: string;
  user: string;
  roles: string[];
  purpose: string;
  patient?: string;
}

const KEY = "chartroom.session";

function decodePart(part: string): unknown {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

// The session a token opens; null when it is not a token of ours.
export function sessionFromToken(token: string): Session | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const claims = decodePart(parts[1]) as Record<string, unknown>;
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    return {
      token,
      user: String(claims.sub ?? ""),
      roles,
      purpose: String(claims.pou ?? ""),
      patient: typeof claims.patient === "string" ? claims.patient : undefined,
    };
  } catch {
    return null;
  }
}

// Kept for the browser tab only (sessionStorage): a new tab or a closed browser signs in again.
export function loadSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  return token ? sessionFromToken(token) : null;
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, session.token);
  else sessionStorage.removeItem(KEY);
}

// Calls `expire` after `minutes` without a key press, click or touch.
export function watchIdle(minutes: number, expire: () => void): () => void {
  let timer = window.setTimeout(expire, minutes * 60_000);
  const reset = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(expire, minutes * 60_000);
  };
  const events = ["keydown", "pointerdown", "touchstart"] as const;
  for (const e of events) window.addEventListener(e, reset, { passive: true });
  return () => {
    window.clearTimeout(timer);
    for (const e of events) window.removeEventListener(e, reset);
  };
}

// What each role sees in the navigation (docs/access.md roles).
export const SCREENS: { path: string; label: string; roles: string[] }[] = [
  {
    path: "/patients",
    label: "Patients",
    roles: ["him_technician", "him_director", "coder", "cdi_specialist", "privacy_officer", "clinician"],
  },
  { path: "/duplicates", label: "Duplicates", roles: ["him_technician", "him_director"] },
  { path: "/coding", label: "Coding", roles: ["coder", "cdi_specialist", "him_technician", "him_director"] },
  { path: "/roi", label: "Release of information", roles: ["him_technician", "him_director", "privacy_officer"] },
  { path: "/privacy", label: "Privacy", roles: ["privacy_officer"] },
  { path: "/dashboard", label: "Dashboard", roles: ["him_director", "him_technician"] },
];

export function screensFor(roles: string[]) {
  return SCREENS.filter((s) => s.roles.some((r) => roles.includes(r)));
}
