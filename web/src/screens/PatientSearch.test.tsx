import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PatientSearch, candidatesOf } from "./PatientSearch";

const BUNDLE = {
  resourceType: "Bundle",
  entry: [
    {
      resource: { resourceType: "Patient", id: "p7", name: [{ family: "Example", given: ["Ann", "B"] }], birthDate: "1970-06-15", gender: "female" },
      search: { score: 0.97, extension: [{ url: "http://hl7.org/fhir/StructureDefinition/match-grade", valueCode: "certain" }] },
    },
  ],
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("PatientSearch", () => {
  it("turns the $match Bundle into rows", () => {
    expect(candidatesOf(BUNDLE)).toEqual([
      { id: "p7", name: "Example, Ann B", birthDate: "1970-06-15", gender: "female", score: 0.97, grade: "certain" },
    ]);
    expect(candidatesOf({})).toEqual([]);
  });

  it("asks the patient index and links each patient by id only", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(BUNDLE), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    render(<PatientSearch />);
    fireEvent.change(screen.getByLabelText("Family name"), { target: { value: "Exampel" } });
    fireEvent.click(screen.getByRole("button", { name: "Search" }));
    const link = await screen.findByRole("link", { name: "Example, Ann B" });
    expect(link.getAttribute("href")).toBe("/patients/p7");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/fhir/Patient/$match");
    expect(JSON.parse(String(init.body)).parameter[0].resource.name[0].family).toBe("Exampel");
    expect(screen.getByText("certain (97%)")).toBeTruthy();
  });

  it("shows the server's error", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        new Response(JSON.stringify({ resourceType: "OperationOutcome", issue: [{ diagnostics: "the index is not running" }] }), {
          status: 503,
        }),
      ),
    );
    render(<PatientSearch />);
    fireEvent.change(screen.getByLabelText("Family name"), { target: { value: "X" } });
    fireEvent.click(screen.getByRole("button", { name: "Search" }));
    expect((await screen.findByRole("alert")).textContent).toBe("the index is not running");
  });
});
