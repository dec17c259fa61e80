import { FormEvent, useState } from "react";
import { ApiError } from "../api";
import { Session, sessionFromToken } from "../session";

const PURPOSES: [string, string][] = [
  ["HOPERAT", "Health care operations"],
  ["HPAYMT", "Payment"],
  ["TREAT", "Treatment"],
  ["LEGAL", "Legal"],
  ["HRESCH", "Research"],
  ["PATRQT", "My own record (patients)"],
];

// Sign-in: user name, password, the purpose of use every session states, and the authenticator
// code for roles that need one (the server says when it is missing).
export function Login({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [purpose, setPurpose] = useState("HOPERAT");
  const [totp, setTotp] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const response = await fetch("/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password, purpose, ...(totp ? { totp } : {}) }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        throw new ApiError(
          body?.issue?.[0]?.diagnostics ?? "Sign-in failed.",
          response.status,
          body?.issue?.[0]?.details?.coding?.[0]?.code ?? "",
        );
      }
      const session = sessionFromToken(String(body.access_token ?? ""));
      if (!session) throw new ApiError("The server's answer was not understood.", 500, "");
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Sign-in failed.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>Chartroom</h1>
      <form onSubmit={submit} aria-describedby={error ? "login-error" : undefined}>
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <label>
          Purpose of use
          <select name="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)}>
            {PURPOSES.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Authenticator code (if your role uses one)
          <input
            name="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            value={totp}
            onChange={(e) => setTotp(e.target.value)}
          />
        </label>
        {error && (
          <p id="login-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
