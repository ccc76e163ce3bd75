# Escalate's container image: one static binary on an empty base image, run
# as a non-root user, able to run with a read-only root filesystem (all it
# writes is the SQLite database, under /data, or nothing with PostgreSQL).
#
#   docker build -t escalate --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run --read-only -p 8080:8080 -v escalate-data:/data \
#     -e ESCALATE_BASE_URL=https://escalate.example.org escalate
#
# compose.yaml runs it with PostgreSQL and an SMTP catcher for a trial;
# doc/operations.md says what is needed in production.

# GOV.UK Frontend's built CSS, JS and images, which the binary embeds (as
# `make vendor` does, without make).
FROM docker.io/library/node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
RUN mkdir -p /vendor/assets \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js /vendor/ \
 && cp -r node_modules/govuk-frontend/dist/govuk/assets/images node_modules/govuk-frontend/dist/govuk/assets/manifest.json /vendor/assets/ \
 && cp node_modules/popular-passwords/data.json /vendor/common-passwords.json

FROM docker.io/library/golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /vendor web/static/vendor
# The release and commit a build reports (escalate version, /healthz); a
# build without them reports the version in the source and "commit unknown".
ARG VERSION=""
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
      ${VERSION:+-X github.com/escalate-project/escalate.Version=$VERSION} \
      ${COMMIT:+-X github.com/escalate-project/escalate.Commit=$COMMIT}" \
      -o /out/escalate ./cmd/escalate
# The one user the image runs as, and the only directory it writes to.
RUN mkdir -p /out/etc /out/data \
 && echo 'escalate:x:65532:65532:Escalate:/data:/sbin/nologin' > /out/etc/passwd \
 && echo 'escalate:x:65532:' > /out/etc/group

FROM scratch AS runtime
# CA certificates for TLS to the mail server, the database and single
# sign-on; the time zone is compiled in (calendar imports time/tzdata).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/escalate /escalate
USER 65532:65532
ENV ESCALATE_ADDR=0.0.0.0:8080 \
    ESCALATE_DB=/data/escalate.db
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/escalate", "healthcheck"]
ENTRYPOINT ["/escalate"]
CMD ["serve"]
