#!/usr/bin/env bash
# Time to full folder statistics (`ostdoctor stats`) against a mailbox of FOLDERS folders (1,000
# by default; stats-folders-growth.sh runs 1,000 to 100,000) on a
# local Dovecot, counted by LIST-STATUS (one round trip) and by the STATUS-per-folder
# fallback (Exchange Online's way). Whole process, store read included; median of RUNS runs
# after a warm-up that lets Dovecot build its indexes. A measurement, never a test.
#
# Needs dovecot-imapd and hyperfine; run as root or as a user Dovecot can run as.
set -euo pipefail
cd "$(dirname "$0")/../.."
store=${1:-../shared/fixtures/real/outlook-com-2013.ost}
runs=${RUNS:-15}
folders=${FOLDERS:-1000}
for tool in hyperfine /usr/sbin/dovecot; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine dovecot-imapd)" >&2; exit 1; }
done
# BIN: a binary built before (stats-folders-growth.sh builds one for all its sizes).
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
fi
bin=${BIN:-$PWD/target/release/ostdoctor}

dir=$(mktemp -d /tmp/ostdoctor-bench-XXXXXX)
chmod 755 "$dir"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -- "-$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password=bench-password
echo "alice:{PLAIN}$password::::::" >"$dir/users"
if [ "$(id -u)" = 0 ]; then
    uid=65534 gid=65534 users=""
else
    uid=$(id -u) gid=$(id -g)
    users="default_internal_user = $(id -un)
default_login_user = $(id -un)"
fi
cat >"$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
$users
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    port = $port
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/mail/%u
}
CONF

# The mailbox on disk (Maildir++): 100 top-level folders of 9 subfolders each, 1 to 5
# messages per folder, some unread.
maildir=$dir/mail/alice/Maildir
mkdir -p "$maildir"/{cur,new,tmp}
python3 - "$maildir" "$folders" <<'PY'
import os, sys
root, total = sys.argv[1], int(sys.argv[2])
n = 0
for top in range(total):
    for sub in range(10):
        if n == total:
            break
        name = f".Project {top:03d}" + (f".Part {sub}" if sub else "")
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, name, d), exist_ok=True)
        for m in range(1 + n % 5):
            seen = m % 3 != 0
            body = (f"From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\n"
                    f"Subject: Message {m} in folder {n}\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\n"
                    f"Message-ID: <{n}.{m}@bench.example>\r\n\r\nHello.\r\n")
            where = "cur" if seen else "new"
            file = f"{1740996000 + m}.M{n}P{m}.bench" + (":2,S" if seen else "")
            with open(os.path.join(root, name, where, file), "w") as f:
                f.write(body)
        n += 1
    if n == total:
        break
PY
[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$dir/mail"

setsid /usr/sbin/dovecot -F -c "$dir/dovecot.conf" </dev/null >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

url="imap://alice@127.0.0.1:$port?plaintext"
# Dovecot's first listing of a cold mailbox of 100,000 folders is silent for longer than the
# default 30 s while it builds its indexes.
wait=${WAIT:-600}
export OSTDOCTOR_PASSWORD=$password
# Both ways must see every folder and every message before their times mean anything.
expected_items=$(python3 -c "print(sum(1 + n % 5 for n in range($folders)))")
for flag in "" --no-list-status; do
    "$bin" stats "$store" --imap "$url" --timeout "$wait" $flag --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
rows = [f for f in r["folders"] if f["server_path"]]
items = sum(f["server_count"] or 0 for f in rows)
print(r["listing"] + ":", len(rows), "server folders,", items, "items")
sys.exit(0 if (len(rows), items) == (int(sys.argv[1]) + 1, int(sys.argv[2])) else 1)
' "$folders" "$expected_items"
done
# The client's own CPU time (warm server), to tell its share of the wall time from the
# server's: the whole run's wall time grows with what Dovecot does per folder too.
for flag in "" --no-list-status; do
    /usr/bin/time -f "client CPU ${flag:-list-status}: %U s user %S s system, %e s wall, %M KB peak" \
        "$bin" stats "$store" --imap "$url" --timeout "$wait" $flag --json >/dev/null
done

hyperfine --warmup 2 --runs "$runs" --export-json "$dir/bench.json" \
    -n "stats, LIST-STATUS" "$bin stats '$store' --imap '$url' --timeout $wait --json" \
    -n "stats, STATUS per folder" "$bin stats '$store' --imap '$url' --timeout $wait --no-list-status --json" \
    >/dev/null
python3 - "$dir/bench.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']:<28} median {r['median']*1000:8.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})")
PY
