import { describe, expect, it } from "vitest";
import { screensFor, sessionFromToken } from "./session";

function token(claims: object): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${part({ alg: "EdDSA" })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe("session", () => {
  it("reads the user, roles and purpose from the token's payload", () => {
    const s = sessionFromToken(token({ sub: "tech", roles: ["him_technician"], pou: "HOPERAT" }));
    expect(s).toMatchObject({ user: "tech", roles: ["him_technician"], purpose: "HOPERAT" });
  });
  it("refuses what is not a token", () => {
    expect(sessionFromToken("not-a-token")).toBeNull();
    expect(sessionFromToken("a.!!!.c")).toBeNull();
  });
  it("shows each role its screens only", () => {
    expect(screensFor(["him_technician"]).map((s) => s.path)).toEqual(["/patients", "/duplicates", "/coding", "/roi", "/dashboard"]);
    expect(screensFor(["coder"]).map((s) => s.path)).toEqual(["/patients", "/coding"]);
    expect(screensFor(["privacy_officer"]).map((s) => s.path)).toEqual(["/patients", "/roi", "/privacy"]);
    expect(screensFor(["patient"])).toEqual([]);
  });
});
