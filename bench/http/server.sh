# Sourced by the HTTP benchmarks: start_server [VAR=VALUE...] runs `$chartroom serve` on $data
# with $threads server threads, the given environment added, on a free port; sets $server_pid
# and $port. stop_server stops it. The caller sets chartroom, data, threads and work.
server_pid=
start_server() {
  env CHARTROOM_LOG_LEVEL=warn CHARTROOM_SERVER_THREADS="$threads" "$@" \
    "$chartroom" serve --data "$data" --listen 127.0.0.1:0 2>"$work/server.log" &
  server_pid=$!
  port=
  for _ in $(seq 300); do
    port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/server.log")
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$work/server.log"; exit 1; }
}
stop_server() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
