import { useEffect, useState } from "react";
import { getJson } from "../api";
import { decodeText, shownIdentifier } from "../fhir";

type Resource = Record<string, any>;

function concept(v: any): string {
  if (!v) return "";
  if (Array.isArray(v)) return concept(v[0]);
  if (v.text) return v.text;
  const c = v.coding?.[0];
  return c ? c.display ?? c.code ?? "" : v.display ?? v.code ?? "";
}

function dateOf(r: Resource): string {
  const d =
    r.period?.start ??
    r.effectiveDateTime ??
    r.effectivePeriod?.start ??
    r.onsetDateTime ??
    r.recordedDate ??
    r.performedDateTime ??
    r.issued ??
    r.date ??
    r.authoredOn ??
    "";
  return String(d).slice(0, 10);
}

// A Social Security number shows its last four digits only (minimum necessary).
export function identifiers(patient: Resource): string {
  return (patient.identifier ?? []).map(shownIdentifier).filter(Boolean).join(", ");
}

export interface Series {
  label: string;
  unit: string;
  points: { date: string; value: number }[];
}

// Numeric observations by what they measure, oldest first: the trends worth a chart (2+ points).
export function seriesOf(observations: Resource[]): Series[] {
  const by = new Map<string, Series>();
  for (const o of observations) {
    const value = o.valueQuantity?.value;
    if (typeof value !== "number") continue;
    const label = concept(o.code);
    const s: Series = by.get(label) ?? { label, unit: o.valueQuantity?.unit ?? "", points: [] };
    s.points.push({ date: dateOf(o), value });
    by.set(label, s);
  }
  return [...by.values()]
    .filter((s) => s.points.length >= 2)
    .map((s) => ({ ...s, points: s.points.sort((a, b) => a.date.localeCompare(b.date)) }));
}

export function TrendChart({ series }: { series: Series }) {
  const w = 320;
  const h = 90;
  const values = series.points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const xy = series.points.map((p, i) => [
    10 + (i * (w - 20)) / Math.max(1, series.points.length - 1),
    h - 10 - ((p.value - min) * (h - 20)) / span,
  ]);
  const last = series.points[series.points.length - 1];
  return (
    <figure className="trend">
      <figcaption>
        {series.label}: {last.value} {series.unit} on {last.date} ({series.points.length} results,{" "}
        {min} to {max})
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Trend of ${series.label}`}>
        <polyline fill="none" stroke="#1f5f8b" strokeWidth="2" points={xy.map((p) => p.join(",")).join(" ")} />
        {xy.map(([x, y], i) => (
          <circle key={i} cx={x} cy={y} r="3" fill="#1f5f8b" />
        ))}
      </svg>
    </figure>
  );
}

function History({ type, id }: { type: string; id: string }) {
  const [versions, setVersions] = useState<Resource[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    getJson(`/fhir/${type}/${encodeURIComponent(id)}/_history`)
      .then((b) => setVersions((b.entry ?? []).map((e: any) => e.resource ?? {})))
      .catch((e) => setError(e.message));
  }, [type, id]);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!versions) return <p aria-busy="true">Loading history…</p>;
  return (
    <ol className="history">
      {versions.map((v, i) => (
        <li key={i}>
          Version {v.meta?.versionId ?? "?"}, {String(v.meta?.lastUpdated ?? "").replace("T", " ").slice(0, 19)}
          {v.status ? `, ${v.status}` : ""}
        </li>
      ))}
    </ol>
  );
}

// The chart: demographics, the encounter timeline, problems, results with their trends,
// documents with their text, and the version history of any of them.
export function Chart({ id }: { id: string }) {
  const [resources, setResources] = useState<Resource[] | null>(null);
  const [error, setError] = useState("");
  const [history, setHistory] = useState<{ type: string; id: string } | null>(null);

  useEffect(() => {
    setResources(null);
    getJson(`/fhir/Patient/${encodeURIComponent(id)}/$everything`)
      .then((b) => setResources((b.entry ?? []).map((e: any) => e.resource)))
      .catch((e) => setError(e.message));
  }, [id]);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!resources) return <p aria-busy="true">Loading the chart…</p>;
  const of = (type: string) =>
    resources.filter((r) => r.resourceType === type).sort((a, b) => dateOf(b).localeCompare(dateOf(a)));
  const patient = resources.find((r) => r.resourceType === "Patient" && r.id === id) ?? {};
  const name = patient.name?.[0] ?? {};
  const historyButton = (r: Resource) => (
    <button type="button" className="link" onClick={() => setHistory({ type: r.resourceType, id: r.id })}>
      History
    </button>
  );

  return (
    <article aria-labelledby="chart-title" className="chart">
      <h2 id="chart-title">
        {[name.family, (name.given ?? []).join(" ")].filter(Boolean).join(", ") || "(no name)"}
      </h2>
      <dl className="demographics">
        <dt>Born</dt>
        <dd>{patient.birthDate ?? "unknown"}</dd>
        <dt>Sex</dt>
        <dd>{patient.gender ?? "unknown"}</dd>
        <dt>Identifiers</dt>
        <dd>{identifiers(patient) || "none"}</dd>
        <dt>Record</dt>
        <dd>
          Patient/{id} {historyButton(patient)}
        </dd>
      </dl>
      {history && (
        <section aria-label="Version history">
          <h3>
            History of {history.type}/{history.id}
          </h3>
          <History type={history.type} id={history.id} />
        </section>
      )}
      <section>
        <h3>Encounters ({of("Encounter").length})</h3>
        <ul className="timeline">
          {of("Encounter").map((e) => (
            <li key={e.id}>
              <time>{dateOf(e)}</time> {concept(e.type) || e.class?.code || "Encounter"} — {e.status}{" "}
              {historyButton(e)}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3>Problems ({of("Condition").length})</h3>
        <ul>
          {of("Condition").map((c) => (
            <li key={c.id}>
              <time>{dateOf(c)}</time> {concept(c.code)} {concept(c.clinicalStatus) && `(${concept(c.clinicalStatus)})`}{" "}
              {historyButton(c)}
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3>Results ({of("Observation").length})</h3>
        <div className="trends">
          {seriesOf(of("Observation")).map((s) => (
            <TrendChart key={s.label} series={s} />
          ))}
        </div>
      </section>
      <section>
        <h3>Documents ({of("DocumentReference").length})</h3>
        {of("DocumentReference").map((d) => (
          <details key={d.id}>
            <summary>
              <time>{dateOf(d)}</time> {concept(d.type) || d.description || "Document"}
            </summary>
            <pre>
              {(d.content ?? [])
                .map((c: any) => c.attachment)
                .filter((a: any) => a?.data && String(a.contentType ?? "").startsWith("text/"))
                .map((a: any) => decodeText(a.data))
                .join("\n") || "(no text)"}
            </pre>
            {historyButton(d)}
          </details>
        ))}
      </section>
    </article>
  );
}
