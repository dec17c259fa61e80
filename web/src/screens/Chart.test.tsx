import { describe, expect, it } from "vitest";
import { identifiers, seriesOf } from "./Chart";

describe("seriesOf", () => {
  it("keeps numeric results with two or more points, oldest first", () => {
    const obs = (code: string, date: string, value: unknown) => ({
      resourceType: "Observation",
      code: { text: code },
      effectiveDateTime: date,
      valueQuantity: { value, unit: "mg/dL" },
    });
    const series = seriesOf([
      obs("Glucose", "2024-02-01T09:00:00Z", 142),
      obs("Glucose", "2023-11-01T09:00:00Z", 118),
      obs("Cholesterol", "2024-02-01T09:00:00Z", 190),
      obs("Glucose", "2024-03-01T09:00:00Z", "high"),
    ]);
    expect(series).toEqual([
      {
        label: "Glucose",
        unit: "mg/dL",
        points: [
          { date: "2023-11-01", value: 118 },
          { date: "2024-02-01", value: 142 },
        ],
      },
    ]);
  });
});

describe("identifiers", () => {
  it("shows an SSN's last four digits only", () => {
    expect(
      identifiers({
        identifier: [
          { system: "urn:oid:mrn", value: "27583224" },
          { system: "http://hl7.org/fhir/sid/us-ssn", value: "900-01-0012" },
        ],
      }),
    ).toBe("27583224, ***-**-0012");
  });
});
