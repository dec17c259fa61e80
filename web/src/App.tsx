import { useEffect, useState } from "react";
import { setToken } from "./api";
import { navigate, usePath } from "./router";
import { Chart } from "./screens/Chart";
import { CodingCase, CodingQueue } from "./screens/Coding";
import { ComparePair, Duplicates } from "./screens/Duplicates";
import { Login } from "./screens/Login";
import { PatientSearch } from "./screens/PatientSearch";
import { Privacy } from "./screens/Privacy";
import { Dashboard } from "./screens/Dashboard";
import { RoiIntake } from "./screens/RoiForms";
import { RoiPatient } from "./screens/RoiPatient";
import { RoiQueue, RoiRequest } from "./screens/RoiQueue";
import { Session, loadSession, saveSession, screensFor, watchIdle } from "./session";

const IDLE_MINUTES = 15;

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState("");
  const path = usePath();

  function signOut(message = "") {
    if (session) {
      fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${session.token}` } }).catch(
        () => {},
      );
    }
    saveSession(null);
    setToken("", () => {});
    setSession(null);
    setNotice(message);
  }

  useEffect(() => {
    if (!session) return;
    setToken(session.token, () => signOut("Your session ended. Please sign in again."));
    return watchIdle(IDLE_MINUTES, () => signOut("You were signed out after 15 minutes without activity."));
  }, [session]);

  if (!session) {
    return (
      <>
        {notice && <p role="status" className="notice">{notice}</p>}
        <Login
          onSignedIn={(s) => {
            saveSession(s);
            setToken(s.token, () => signOut("Your session ended. Please sign in again."));
            setNotice("");
            setSession(s);
            if (window.location.pathname === "/") navigate(screensFor(s.roles)[0]?.path ?? "/");
          }}
        />
      </>
    );
  }

  const screens = screensFor(session.roles);
  let main = <p>Choose a screen.</p>;
  const [, first, second, third] = path.split("/");
  if (first === "patients" && second) main = <Chart id={decodeURIComponent(second)} />;
  else if (first === "patients") main = <PatientSearch />;
  else if (first === "roi" && second === "new") main = <RoiIntake />;
  else if (first === "roi" && second === "patients" && third) main = <RoiPatient id={decodeURIComponent(third)} />;
  else if (first === "roi" && second) main = <RoiRequest id={decodeURIComponent(second)} />;
  else if (first === "roi") main = <RoiQueue />;
  else if (first === "coding" && second) main = <CodingCase encounter={decodeURIComponent(second)} />;
  else if (first === "coding") main = <CodingQueue />;
  else if (first === "privacy") main = <Privacy />;
  else if (first === "dashboard") main = <Dashboard />;
  else if (first === "duplicates" && second && third) {
    main = <ComparePair first={decodeURIComponent(second)} second={decodeURIComponent(third)} />;
  } else if (first === "duplicates") main = <Duplicates />;

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">Chartroom</span>
        <nav aria-label="Main">
          <ul>
            {screens.map((s) => (
              <li key={s.path}>
                <a
                  href={s.path}
                  aria-current={path.startsWith(s.path) ? "page" : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(s.path);
                  }}
                >
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="user">
          {session.user} ({session.roles.join(", ")}, {session.purpose})
        </span>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {main}
      </main>
    </>
  );
}
