# Patient/$match latency against a running server: POSTs N Patients of a generated population
# (every 397th line of Patient.ndjson, ids removed) one after another on one connection and
# prints p50/p95/p99. docs/benchmarks.md, "Master patient index":
#
#   chartroom generate --patients 1000000 --out /tmp/g1m --patients-only
#   chartroom import /tmp/g1m/Patient.ndjson --data /tmp/mpi1m
#   CHARTROOM_ACCESS_ENFORCE=off chartroom serve --data /tmp/mpi1m --listen 127.0.0.1:18080 &
#   python3 bench/mpi_match_latency.py 18080 2000 /tmp/g1m/Patient.ndjson
import http.client, json, random, sys, time
if len(sys.argv) != 4:
    sys.exit('usage: mpi_match_latency.py PORT COUNT PATIENT_NDJSON')
port=int(sys.argv[1]); n=int(sys.argv[2]); source=sys.argv[3]
random.seed(7)
lines=[]
with open(source) as f:
    for i,l in enumerate(f):
        if i % 397 == 0: lines.append(l)
        if len(lines) >= n: break
conn=http.client.HTTPConnection('127.0.0.1',port)
lat=[]; found=0
for l in lines:
    p=json.loads(l); p.pop('id',None); p.pop('meta',None)
    body=json.dumps({"resourceType":"Parameters","parameter":[{"name":"resource","resource":p},{"name":"count","valueInteger":10}]})
    t=time.perf_counter()
    conn.request('POST','/fhir/Patient/$match',body,{'Content-Type':'application/fhir+json'})
    r=conn.getresponse(); data=r.read()
    lat.append((time.perf_counter()-t)*1000)
    if r.status!=200: print('status',r.status,data[:200]); break
    found+=len(json.loads(data).get('entry',[]))>0
lat.sort()
q=lambda x: lat[min(len(lat)-1,int(x*len(lat)))]
print(f"{len(lat)} $match requests, sequential, 1 connection: p50 {q(0.5):.2f} ms, p95 {q(0.95):.2f} ms, p99 {q(0.99):.2f} ms, max {lat[-1]:.2f} ms; {found} with candidates")
