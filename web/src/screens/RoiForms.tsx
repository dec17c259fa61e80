import { FormEvent, useState } from "react";
import { postJson } from "../api";
import { navigate } from "../router";

const REQUESTERS = [
  "patient",
  "personal-representative",
  "attorney",
  "insurer",
  "provider",
  "law-enforcement",
  "court-order",
  "subpoena",
  "public-health",
  "researcher",
];
const PURPOSES = ["personal", "treatment", "payment", "legal", "law-enforcement", "public-health", "research", "insurance", "other"];
const KINDS = ["all", "encounters", "problems", "results", "medications", "procedures", "immunizations", "allergies", "documents", "imaging", "care-plans", "billing"];

// Intake of a release request. The patient is found by the patient index from the name and
// birth date the requester gave, unless an id is given.
export function RoiIntake() {
  const [f, setF] = useState({
    type: "patient",
    name: "",
    organization: "",
    address: "",
    patient: "",
    family: "",
    given: "",
    birth_date: "",
    purpose: "personal",
    delivery: "portal",
    from: "",
    to: "",
    legal_document: "",
  });
  const [kinds, setKinds] = useState<string[]>(["all"]);
  const [error, setError] = useState("");
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    try {
      const body: any = {
        requester: { type: f.type, name: f.name, organization: f.organization, address: f.address },
        identification: { family: f.family, given: f.given, birth_date: f.birth_date },
        requested: { record_types: kinds, from: f.from, to: f.to },
        purpose: f.purpose,
        delivery: f.delivery,
      };
      if (f.patient) body.patient = f.patient;
      if (f.legal_document) body.legal_document = f.legal_document;
      const created = await postJson("/api/roi/requests", body);
      navigate(`/roi/${created.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : "The request was not recorded.");
    }
  }

  return (
    <section aria-labelledby="intake-title">
      <h2 id="intake-title">New release request</h2>
      <form onSubmit={submit} className="grid">
        <fieldset>
          <legend>Requester</legend>
          <label>
            Requester type
            <select value={f.type} onChange={set("type")}>
              {REQUESTERS.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Requester name
            <input value={f.name} onChange={set("name")} required />
          </label>
          <label>
            Organization
            <input value={f.organization} onChange={set("organization")} />
          </label>
          <label>
            Address
            <input value={f.address} onChange={set("address")} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Patient, as the requester identified them</legend>
          <label>
            Family name
            <input value={f.family} onChange={set("family")} required />
          </label>
          <label>
            Given name
            <input value={f.given} onChange={set("given")} required />
          </label>
          <label>
            Birth date
            <input type="date" value={f.birth_date} onChange={set("birth_date")} required />
          </label>
          <label>
            Patient id (if known; else the patient index finds them)
            <input value={f.patient} onChange={set("patient")} />
          </label>
        </fieldset>
        <fieldset>
          <legend>What is requested</legend>
          <div className="checks">
            {KINDS.map((k) => (
              <label key={k} className="radio">
                <input
                  type="checkbox"
                  checked={kinds.includes(k)}
                  onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
                />
                {k}
              </label>
            ))}
          </div>
          <label>
            From
            <input type="date" value={f.from} onChange={set("from")} />
          </label>
          <label>
            To
            <input type="date" value={f.to} onChange={set("to")} />
          </label>
          <label>
            Purpose
            <select value={f.purpose} onChange={set("purpose")}>
              {PURPOSES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label>
            Delivery
            <select value={f.delivery} onChange={set("delivery")}>
              {["portal", "email", "mail", "pickup", "fax"].map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <label>
            Legal document (representative's authority, warrant, order, assurance, waiver)
            <input value={f.legal_document} onChange={set("legal_document")} />
          </label>
        </fieldset>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" disabled={kinds.length === 0}>
          Record the request
        </button>
      </form>
    </section>
  );
}

// A HIPAA authorization (or Part 2 consent, or psychotherapy authorization) entered from the
// signed form; the server answers the checklist.
export function AuthorizationForm({ id, onAdded }: { id: string; onAdded: (request: any) => void }) {
  const [f, setF] = useState({
    kind: "hipaa",
    information: "",
    sud_information: "",
    discloser: "",
    recipient: "",
    purpose: "",
    expires: "",
    expiration_event: "",
    signed_by: "",
    signed_on: "",
  });
  const [statements, setStatements] = useState({ revocation: false, conditioning: false, redisclosure: false });
  const [error, setError] = useState("");
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError("");
    try {
      const body: any = { ...f, statements };
      for (const k of Object.keys(body)) if (body[k] === "") delete body[k];
      onAdded(await postJson(`/api/roi/requests/${encodeURIComponent(id)}/authorizations`, body));
    } catch (err) {
      setError(err instanceof Error ? err.message : "The authorization was not recorded.");
    }
  }
  const text = (k: keyof typeof f, label: string, type = "text") => (
    <label>
      {label}
      <input type={type} value={f[k]} onChange={set(k)} />
    </label>
  );
  return (
    <form onSubmit={submit} aria-label="Add an authorization">
      <h3>Add an authorization</h3>
      <label>
        Kind
        <select value={f.kind} onChange={set("kind")}>
          <option value="hipaa">HIPAA authorization</option>
          <option value="part2">42 CFR Part 2 consent</option>
          <option value="psychotherapy">Psychotherapy notes</option>
        </select>
      </label>
      {text("information", "Information to be disclosed")}
      {f.kind === "part2" && text("sud_information", "Substance use disorder information, described explicitly")}
      {text("discloser", "Who may disclose")}
      {text("recipient", "To whom")}
      {text("purpose", "Purpose")}
      {text("expires", "Expires on", "date")}
      {text("expiration_event", "Or expires on the event")}
      {text("signed_by", "Signed by")}
      {text("signed_on", "Signed on", "date")}
      {(["revocation", "conditioning", "redisclosure"] as const).map((k) => (
        <label key={k} className="radio">
          <input
            type="checkbox"
            checked={statements[k]}
            onChange={(e) => setStatements({ ...statements, [k]: e.target.checked })}
          />
          States the {k === "revocation" ? "right to revoke" : k === "conditioning" ? "non-conditioning of care" : "possible redisclosure"}
        </label>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit">Add the authorization</button>
    </form>
  );
}
