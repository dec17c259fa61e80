import { describe, expect, it } from "vitest";
import { comparisonRows } from "./Duplicates";

describe("comparisonRows", () => {
  it("lines up the fields the patient index weighs, SSNs masked", () => {
    const a = {
      name: [{ family: "Rogers", given: ["Danisl"] }],
      birthDate: "2004-04-13",
      identifier: [{ system: "http://hl7.org/fhir/sid/us-ssn", value: "900-68-6839" }],
    };
    const b = { name: [{ family: "Rogers", given: ["Daniel", "J"] }], birthDate: "2004-04-13" };
    const rows = comparisonRows(a, b);
    const by = (field: string) => rows.find((r) => r.field === field)!;
    expect(by("given")).toMatchObject({ a: "Danisl", b: "Daniel" });
    expect(by("middle")).toMatchObject({ a: "", b: "J" });
    expect(by("birth")).toMatchObject({ a: "2004-04-13", b: "2004-04-13" });
    expect(by("identifier").a).toBe("SSN ***-**-6839");
  });
});
