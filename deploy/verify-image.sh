#!/usr/bin/env bash
# Checks the container image's runtime stage with podman (or docker) on a
# machine that cannot pull base images: it builds the binary here, takes the
# Dockerfile's runtime stage as written, points its COPY --from=build lines
# at the local build, and then runs the image read-only and checks that it
# runs as a non-root user, answers /healthz and the sign-in page, passes its
# own HEALTHCHECK, keeps its SQLite database on the /data volume and stops
# cleanly on SIGTERM. The Dockerfile's build stages (node, golang) are not
# checked here: they need the registry.
#
#   deploy/verify-image.sh            (from the repository root; needs make build once)
#
# ENGINE names the engine and its options; on a machine whose crun cannot
# run in its cgroups, for example: ENGINE="podman --runtime runc".
set -eu
ENGINE=${ENGINE:-podman}
PORT=${PORT:-18080}
tmp=$(mktemp -d)
name=escalate-verify-$$
trap '$ENGINE rm -f $name >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

mkdir -p "$tmp/out/etc" "$tmp/out/data"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/out/escalate" ./cmd/escalate
echo 'escalate:x:65532:65532:Escalate:/data:/sbin/nologin' > "$tmp/out/etc/passwd"
echo 'escalate:x:65532:' > "$tmp/out/etc/group"
cp /etc/ssl/certs/ca-certificates.crt "$tmp/out/ca-certificates.crt"
sed -n '/^FROM scratch AS runtime/,$p' Dockerfile | sed \
	-e 's|^COPY --from=build /etc/ssl/certs/ca-certificates.crt |COPY out/ca-certificates.crt |' \
	-e 's|^COPY --from=build --chown=65532:65532 /out/|COPY --chown=65532:65532 out/|' \
	-e 's|^COPY --from=build /out/|COPY out/|' -e 's| /out/etc/group| out/etc/group|' > "$tmp/Containerfile"
if grep -q -- '--from=' "$tmp/Containerfile"; then
	echo "verify-image: a COPY --from line of the runtime stage was not mapped" >&2
	exit 1
fi
$ENGINE build --format docker -q -t escalate:verify -f "$tmp/Containerfile" "$tmp" >/dev/null
echo "built escalate:verify from the Dockerfile's runtime stage"

user=$($ENGINE image inspect escalate:verify --format '{{.Config.User}}')
[ "$user" = "65532:65532" ] || { echo "image user is '$user', want 65532:65532" >&2; exit 1; }
echo "runs as $user (non-root)"

# Modest limits, which any host allows the engine to set.
$ENGINE run -d --name $name --read-only --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
	-e ESCALATE_ADDR=127.0.0.1:$PORT -e ESCALATE_SECURE_COOKIES=0 -e ESCALATE_DRAIN_DELAY=1s \
	escalate:verify >/dev/null
i=0
until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
	i=$((i+1)); [ $i -lt 100 ] || { $ENGINE logs $name >&2; echo "no answer on /healthz" >&2; exit 1; }
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz"
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/sign-in" && echo "sign-in page: 200"
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/static/vendor/govuk-frontend.min.css" 2>/dev/null \
	&& echo "GOV.UK Frontend is embedded" || echo "note: GOV.UK Frontend is not embedded (run make build first)"
$ENGINE healthcheck run $name && echo "HEALTHCHECK: healthy"
$ENGINE exec $name /escalate version
$ENGINE exec $name /escalate audit verify --db /data/escalate.db
# A backup to the root filesystem must fail for want of a writable disk;
# one to the /data volume must work.
if out=$($ENGINE exec $name /escalate backup --db /data/escalate.db --to /escalate-copy.db 2>&1); then
	echo "the root filesystem took a write: it should be read-only" >&2; exit 1
fi
echo "$out" | grep -Eqi "read-only|unable to open" || { echo "backup to / failed, but not for a read-only disk: $out" >&2; exit 1; }
$ENGINE exec $name /escalate backup --db /data/escalate.db --to /data/copy.db >/dev/null
echo "root filesystem is read-only; the database and its backup are on the /data volume"
$ENGINE stop -t 30 $name >/dev/null
code=$($ENGINE inspect $name --format '{{.State.ExitCode}}')
$ENGINE logs $name 2>&1 | grep -q '"msg":"stopped"' || { echo "no clean stop in the log" >&2; exit 1; }
echo "stopped cleanly on SIGTERM (exit $code)"
[ "$code" = 0 ]
