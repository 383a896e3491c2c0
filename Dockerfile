# syntax=docker/dockerfile:1
# scangate: a static binary on distroless, non-root.
#   docker build -t scangate:local .
#   docker run --rm -v "$PWD:/work" -w /work scangate:local check -i scan-results.json
# Base images are pinned by tag; pin them by digest at release time (FROM image:tag@sha256:...).

# Build: Alpine's Rust targets musl, whose binaries are static by default (no glibc, no NSS).
FROM rust:1.95-alpine AS build
# gcc and musl-dev: the C compiler, headers and static libc for ring's C and assembly (rustls's crypto)
# and the link. Their versions come with the Alpine release of the pinned base image.
# hadolint ignore=DL3018
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY . .
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
# A dynamically linked binary would list its libraries ("=>") and not run on distroless/static.
RUN cargo build --release --locked --bin scangate \
 && cp target/release/scangate /scangate \
 && if ldd /scangate 2>/dev/null | grep -q '=>'; then echo "scangate is not static" >&2; exit 1; fi

# Run: distroless static (CA certificates, /etc/passwd with nonroot, no shell, no package manager).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /scangate /usr/local/bin/scangate
COPY thresholds/ /usr/local/share/scangate/thresholds/
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["scangate"]
CMD ["--help"]
