import { describe, expect, it } from "vitest";
import { percentile, turnaround } from "./Dashboard";
import { accessRows } from "./Privacy";

describe("dashboard figures", () => {
  it("counts release turnaround in days and takes percentiles", () => {
    const days = turnaround([
      { received: "2024-03-01", released: "2024-03-11T10:00:00Z" },
      { received: "2024-03-01", released: "2024-03-02T10:00:00Z" },
      { received: "2024-03-01", released: "" },
    ]);
    expect(days).toEqual([10, 1]);
    expect(percentile([1, 10, 3, 7], 50)).toBe(3);
    expect(percentile([1, 10, 3, 7], 90)).toBe(10);
    expect(percentile([], 50)).toBe(0);
  });
});

describe("accessRows", () => {
  it("reads who did what to which records, the latest first", () => {
    const rows = accessRows({
      entry: [
        {
          resource: {
            recorded: "2024-03-01T10:00:00Z",
            subtype: [{ code: "read" }],
            outcome: "0",
            purposeOfEvent: [{ coding: [{ code: "HOPERAT" }] }],
            agent: [{ who: { identifier: { value: "tech" } } }],
            entity: [{ what: { reference: "Patient/p1" } }, { description: "roi fulfil" }],
          },
        },
        {
          resource: {
            recorded: "2024-03-02T10:00:00Z",
            subtype: [{ code: "110122" }],
            outcome: "4",
            outcomeDesc: "bad-totp",
            agent: [],
          },
        },
      ],
    });
    expect(rows[0]).toMatchObject({ when: "2024-03-02 10:00:00", action: "sign-in", outcome: "bad-totp" });
    expect(rows[1]).toMatchObject({ user: "tech", action: "read", purpose: "HOPERAT", what: "Patient/p1", detail: "roi fulfil" });
  });
});
