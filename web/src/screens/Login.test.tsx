import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Login } from "./Login";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function fill() {
  fireEvent.change(screen.getByLabelText("User name"), { target: { value: "priv" } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: "secret" } });
}

describe("Login", () => {
  it("sends the purpose and the authenticator code, and opens the session", async () => {
    const claims = btoa(JSON.stringify({ sub: "priv", roles: ["privacy_officer"], pou: "LEGAL" }));
    const fetch = vi.fn(async () => new Response(JSON.stringify({ access_token: `h.${claims}.s` }), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    const signedIn = vi.fn();
    render(<Login onSignedIn={signedIn} />);
    fill();
    fireEvent.change(screen.getByLabelText("Purpose of use"), { target: { value: "LEGAL" } });
    fireEvent.change(screen.getByLabelText(/Authenticator code/), { target: { value: "123456" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(signedIn).toHaveBeenCalled());
    const body = JSON.parse(String((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body));
    expect(body).toEqual({ username: "priv", password: "secret", purpose: "LEGAL", totp: "123456" });
    expect(signedIn.mock.calls[0][0]).toMatchObject({ user: "priv", roles: ["privacy_officer"] });
  });

  it("says why sign-in failed", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        new Response(JSON.stringify({ issue: [{ diagnostics: "the user name or password is not right" }] }), { status: 401 }),
      ),
    );
    const signedIn = vi.fn();
    render(<Login onSignedIn={signedIn} />);
    fill();
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("the user name or password is not right");
    expect(signedIn).not.toHaveBeenCalled();
  });
});
