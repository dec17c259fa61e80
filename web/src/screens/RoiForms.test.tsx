import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthorizationForm, RoiIntake } from "./RoiForms";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function body(fetch: any): any {
  return JSON.parse(String((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body));
}

describe("RoiIntake", () => {
  it("leaves the patient to the patient index when no id is given", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ id: "R-000009" }), { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    render(<RoiIntake />);
    fireEvent.change(screen.getByLabelText("Requester type"), { target: { value: "attorney" } });
    fireEvent.change(screen.getByLabelText("Requester name"), { target: { value: "Casey" } });
    fireEvent.change(screen.getByLabelText("Family name"), { target: { value: "Example" } });
    fireEvent.change(screen.getByLabelText("Given name"), { target: { value: "Ann" } });
    fireEvent.change(screen.getByLabelText("Birth date"), { target: { value: "1970-06-15" } });
    fireEvent.click(screen.getByLabelText("problems"));
    fireEvent.change(screen.getByLabelText("Purpose"), { target: { value: "legal" } });
    fireEvent.click(screen.getByRole("button", { name: "Record the request" }));
    await vi.waitFor(() => expect(window.location.pathname).toBe("/roi/R-000009"));
    const sent = body(fetch);
    expect(sent.patient).toBeUndefined();
    expect(sent.identification).toEqual({ family: "Example", given: "Ann", birth_date: "1970-06-15" });
    expect(sent.requested.record_types).toEqual(["all", "problems"]);
    expect(sent.requester).toMatchObject({ type: "attorney", name: "Casey" });
    expect(sent.purpose).toBe("legal");
  });

  it("shows why the server refused it", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        new Response(JSON.stringify({ issue: [{ diagnostics: "the patient index finds no single certain match" }] }), {
          status: 409,
        }),
      ),
    );
    render(<RoiIntake />);
    fireEvent.change(screen.getByLabelText("Requester name"), { target: { value: "Casey" } });
    fireEvent.change(screen.getByLabelText("Family name"), { target: { value: "X" } });
    fireEvent.change(screen.getByLabelText("Given name"), { target: { value: "Y" } });
    fireEvent.change(screen.getByLabelText("Birth date"), { target: { value: "1970-01-01" } });
    fireEvent.click(screen.getByRole("button", { name: "Record the request" }));
    expect((await screen.findByRole("alert")).textContent).toContain("no single certain match");
  });
});

describe("AuthorizationForm", () => {
  it("sends the elements and the statements checked, nothing empty", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ id: "R-1", checklists: [] }), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    const added = vi.fn();
    render(<AuthorizationForm id="R-1" onAdded={added} />);
    fireEvent.change(screen.getByLabelText("To whom"), { target: { value: "Smith LLP" } });
    fireEvent.click(screen.getByLabelText("States the right to revoke"));
    fireEvent.click(screen.getByRole("button", { name: "Add the authorization" }));
    await vi.waitFor(() => expect(added).toHaveBeenCalled());
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe("/api/roi/requests/R-1/authorizations");
    expect(body(fetch)).toEqual({
      kind: "hipaa",
      recipient: "Smith LLP",
      statements: { revocation: true, conditioning: false, redisclosure: false },
    });
  });
});
