# The headless feedscope-cli in an image of its own: one static binary (cgo off, no
# Fyne) on scratch, plus the CA bundle so tail can verify wss:// servers.
# `make image` builds it; see the README's "Headless and in a container".
# GO_IMAGE: any Debian-based Go 1.26 image, for registries other than Docker Hub
# or a machine that cannot reach one (see the README).
ARG GO_IMAGE=golang:1.26
FROM ${GO_IMAGE} AS build
WORKDIR /src
# The module graph first, so a source change does not download it again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/feedscope/feedscope/cli.Version=${VERSION}" \
        -o /out/feedscope-cli ./cmd/feedscope-cli \
    && /out/feedscope-cli version

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/feedscope-cli /feedscope-cli
# nobody: the binary needs no privileges and writes nothing but stdout and stderr.
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["/feedscope-cli"]
CMD ["demo-server", "--listen", "0.0.0.0:8080", "--allow-remote"]
