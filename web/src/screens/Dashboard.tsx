import { useEffect, useState } from "react";
import { getJson } from "../api";

export interface Bar {
  label: string;
  value: number;
}

// A bar chart with its numbers also as a table (for screen readers and exact values).
export function BarChart({ title, bars, unit }: { title: string; bars: Bar[]; unit: string }) {
  const w = 360;
  const h = 140;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = bars.length ? (w - 20) / bars.length : 0;
  return (
    <figure className="chart-card">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h + 20}`} role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(", ")}`}>
        {bars.map((b, i) => {
          const bh = ((h - 10) * b.value) / max;
          return (
            <g key={b.label}>
              <rect x={10 + i * step + 2} y={h - bh} width={Math.max(1, step - 4)} height={bh} fill="#1f5f8b" />
              <text x={10 + i * step + step / 2} y={h + 14} fontSize="9" textAnchor="middle">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
      <details>
        <summary>Numbers</summary>
        <table>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                <td>
                  {b.value} {unit}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

// Days from receipt to release, per fulfilled request.
export function turnaround(requests: { received: string; released: string }[]): number[] {
  return requests
    .filter((r) => r.received && r.released)
    .map((r) => Math.round((Date.parse(r.released.slice(0, 10)) - Date.parse(r.received)) / 86_400_000));
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function monthsEnding(last: string, n: number): string[] {
  const [y, m] = last.split("-").map(Number);
  const out: string[] = [];
  for (let i = n - 1; i >= 0; --i) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

// The HIM dashboard: discharges, the coding backlog, release turnaround and the duplicate rate.
export function Dashboard() {
  const [discharges, setDischarges] = useState<Bar[] | null>(null);
  const [backlog, setBacklog] = useState<any>(null);
  const [released, setReleased] = useState<number[] | null>(null);
  const [duplicates, setDuplicates] = useState<{ pairs: number; patients: number } | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    const fail = (e: Error) => setError(e.message);
    getJson("/fhir/Encounter?status=finished&_sort=-date&_count=1")
      .then(async (b) => {
        const last = String(b.entry?.[0]?.resource?.period?.start ?? "").slice(0, 7);
        if (!last) return setDischarges([]);
        const months = monthsEnding(last, 12);
        const counts = await Promise.all(
          months.map((m) =>
            getJson(`/fhir/Encounter?status=finished&date=ge${m}-01&date=lt${nextMonth(m)}&_summary=count`).then(
              (r) => Number(r.total ?? 0),
            ),
          ),
        );
        setDischarges(months.map((m, i) => ({ label: m.slice(2), value: counts[i] })));
      })
      .catch(fail);
    getJson("/api/coding/stats").then(setBacklog).catch(fail);
    getJson("/api/roi/requests?status=fulfilled")
      .then((b) => setReleased(turnaround(b.requests ?? [])))
      .catch(fail);
    Promise.all([getJson("/mpi/worklist"), getJson("/fhir/Patient?_summary=count")])
      .then(([w, p]) => setDuplicates({ pairs: Number(w.total ?? 0), patients: Number(p.total ?? 0) }))
      .catch(fail);
  }, []);

  return (
    <section aria-labelledby="dash-title">
      <h2 id="dash-title">HIM dashboard</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="cards">
        {discharges ? (
          <BarChart title="Discharges by month (last 12 with data)" bars={discharges} unit="discharges" />
        ) : (
          <p aria-busy="true">Loading discharges…</p>
        )}
        {backlog ? (
          <BarChart
            title={`Coding backlog: ${backlog.backlog} cases, ${backlog.in_progress} in progress (by days since discharge)`}
            bars={Object.entries(backlog.by_age_days ?? {}).map(([label, value]) => ({ label, value: Number(value) }))}
            unit="cases"
          />
        ) : (
          <p aria-busy="true">Loading the coding backlog…</p>
        )}
        <figure className="chart-card">
          <figcaption>Release of information turnaround</figcaption>
          {released === null ? (
            <p aria-busy="true">Loading…</p>
          ) : released.length === 0 ? (
            <p>No request released yet.</p>
          ) : (
            <p className="figure">
              {released.length} released; median {percentile(released, 50)} days, 90th percentile{" "}
              {percentile(released, 90)} days (30-day limit).
            </p>
          )}
        </figure>
        <figure className="chart-card">
          <figcaption>Duplicate rate</figcaption>
          {duplicates === null ? (
            <p aria-busy="true">Loading…</p>
          ) : (
            <p className="figure">
              {duplicates.pairs} {duplicates.pairs === 1 ? "pair" : "pairs"} to review among {duplicates.patients} patients (
              {duplicates.patients ? ((100 * duplicates.pairs) / duplicates.patients).toFixed(1) : "0"} per 100).
            </p>
          )}
        </figure>
      </div>
    </section>
  );
}
