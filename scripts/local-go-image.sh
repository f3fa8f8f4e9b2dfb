#!/bin/bash
# local-go-image.sh ENGINE [TAG]: a stand-in for golang:1.26 where no image registry
# can be reached — a Debian bookworm minbase root (debootstrap, from Debian's mirror)
# with ca-certificates, this machine's CA bundle (a TLS-inspecting proxy's CA lives
# there) and this machine's Go in /usr/local/go, imported as TAG. Needs root.
#   scripts/local-go-image.sh podman && make image ENGINE=podman GO_IMAGE=localhost/golang-local:1.26
set -euo pipefail
engine=${1:?usage: $0 docker|podman [tag]}
tag=${2:-localhost/golang-local:1.26}
goroot=$(go env GOROOT)
case "$(go env GOVERSION)" in go1.26*) ;; *) echo "$0: the Dockerfile wants Go 1.26, this machine has $(go env GOVERSION)" >&2; exit 1 ;; esac
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=ca-certificates,git bookworm "$root" http://deb.debian.org/debian >/dev/null
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$root/usr/local" && cp -a "$goroot" "$root/usr/local/go"
rm -rf "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | "$engine" import \
	--change 'ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV GOPATH=/go' --change 'WORKDIR /go' - "$tag"
