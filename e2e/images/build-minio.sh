#!/usr/bin/env bash
# Builds the MinIO server and the MinIO client (`mc`) from their Go modules, at the releases the
# platform pins (constructs/versions.ts MINIO.image / MINIO.clientImage), and packs each into an
# OCI image archive, without a Docker engine or a registry.
#
# Usage: bash e2e/images/build-minio.sh [binaries] [images]     (default: both)
#   needs on PATH: go jq sha256sum flock tar; for images also root, umoci and debootstrap
#
# Pins: e2e/images/minio/versions.json, the one place that maps each image ref to a module
# version. Neither module has semver tags and the module proxy refuses the RELEASE tags, so each
# entry is the pseudo-version of the commit its RELEASE tag points at, with the module's go.sum
# hashes (checked on every build; the checksum database does not know the mc version, which is
# fetched with GONOSUMDB for that module alone: see "why" in that file).
# The script stops if constructs/versions.ts pins another image than the file records.
#
# Output, under ${SPARK_E2E_CACHE:-$HOME/.cache/spark-platform-e2e}:
#   bin/minio-<RELEASE>/minio, bin/mc-<RELEASE>/mc   static (CGO_ENABLED=0, -trimpath) binaries,
#                             stamped like the upstream release builds (buildscripts/gen-ldflags.go:
#                             Version, ReleaseTag, CommitID, ShortCommitID, CopyrightYear); a
#                             directory with .complete (and the same .pin) is not rebuilt
#   images/minio.oci.tar      OCI image layout archives (one amd64 manifest each, no name
#   images/mc.oci.tar         annotations), for `ctr -n k8s.io images import --base-name <repo>
#                             --index-name <ref> <archive>` (e2e/node.ts importImage)
#   images/minio.manifest.json  {"images":[{"name","archive","refs"}...]}, archives relative to it
#   images/work-minio/        caches: the Debian root filesystem tarball, image keys, scratch
#   logs/minio-<RELEASE>.log, logs/mc-<RELEASE>.log, logs/minio-images.log
#
# Images (how constructs/storage/minio.ts runs them: uid/gid 1000, read-only root filesystem,
# /tmp an emptyDir, HOME=/tmp for the server, MC_CONFIG_DIR=/tmp/.mc for the bucket Job):
#   minio  no base: /usr/bin/minio, /etc/passwd and /etc/group (uid/gid 1000 "minio", home /tmp),
#          the Debian CA bundle, /tmp (1777) and /data (1000:1000). Entrypoint `minio`: the
#          StatefulSet gives only args (`server /data --console-address :9001`).
#   mc     Debian bookworm minbase (+ ca-certificates; bash, dash as /bin/sh, coreutils for the
#          Job's `/bin/sh -c` script) and /usr/bin/mc. Entrypoint `mc`; the Job overrides it.
#   Both: user 1000:1000, MINIO_UPDATE=off and MC_UPDATE=off (no update checks against dl.min.io).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "${HERE}/../.." && pwd)"
PINS="${HERE}/minio/versions.json"
CACHE="${SPARK_E2E_CACHE:-$HOME/.cache/spark-platform-e2e}"
BIN="${CACHE}/bin"
LOGS="${CACHE}/logs"
OUT="${CACHE}/images"
WORK="${OUT}/work-minio" # not ${OUT}/work: that one belongs to build.sh
export GOTOOLCHAIN=local

ARCH=amd64
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ROOTFS_PACKAGES=(ca-certificates) # on top of minbase
ROOTFS_REVISION=1 # bump to rebuild the root filesystem after changing build_rootfs
IMAGE_UID=1000    # constructs/versions.ts MINIO.uid
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NAMES=(minio mc)

# --- helpers ----------------------------------------------------------------------------------
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[minio-images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
sha() { sha256sum | cut -c1-16; }

LOGFILE=/dev/null
run() { # run <cmd...>: output appended to LOGFILE; on failure shows its tail
  printf '+ %s\n' "$*" >>"${LOGFILE}"
  if ! "$@" >>"${LOGFILE}" 2>&1; then
    log "FAILED: $* (log: ${LOGFILE})"
    tail -n 40 "${LOGFILE}" >&2
    return 1
  fi
}

SUMMARY=()
summary() { # summary <what> <status> <seconds> [detail]
  local line
  line="$(printf '%-28s %-8s %8ss  %s' "$1" "$2" "$3" "${4:-}")"
  SUMMARY+=("${line}")
  log "${line}"
}

pin() { jq -er --arg n "$1" --arg f "$2" '.[$n][$f]' "${PINS}"; } # pin <name> <field>
release_of() { printf '%s' "${1##*:}"; }                        # RELEASE.<...> of an image ref

# ts_pin <key>: a string field of `export const MINIO = { ... }` in constructs/versions.ts
ts_pin() {
  awk '/^export const MINIO = \{/ { f = 1; next } f && /^}/ { exit } f' "${REPO}/constructs/versions.ts" |
    sed -n "s/^[[:space:]]*$1:[[:space:]]*'\([^']*\)'.*/\1/p"
}

# --- arguments, tools, pins -------------------------------------------------------------------
STEPS=("$@")
((${#STEPS[@]})) || STEPS=(binaries images)
for s in "${STEPS[@]}"; do
  case "$s" in binaries | images) ;; *) die "unknown step '$s' (steps: binaries images)" ;; esac
done
want() { local s; for s in "${STEPS[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1; }

for tool in go jq sha256sum flock tar awk; do
  command -v "${tool}" >/dev/null || die "${tool} is not on PATH"
done
if want images; then
  for tool in umoci debootstrap; do command -v "${tool}" >/dev/null || die "${tool} is not on PATH"; done
  [[ "${EUID}" -eq 0 ]] || die "the images step needs root (debootstrap, file ownership in layers)"
fi
[[ -f "${PINS}" ]] || die "missing ${PINS}"

declare -A TS_KEY=([minio]=image [mc]=clientImage)
for name in "${NAMES[@]}"; do
  ts="$(ts_pin "${TS_KEY[${name}]}")"
  [[ -n "${ts}" ]] || die "constructs/versions.ts: found no MINIO.${TS_KEY[${name}]}"
  rec="$(pin "${name}" image)"
  if [[ "${ts}" != "${rec}" ]]; then
    die "constructs/versions.ts pins MINIO.${TS_KEY[${name}]} = ${ts}, but ${PINS#"${REPO}"/} has .${name}.image = ${rec}.
  Update .${name} there: image = ${ts}; version = the module's version for $(release_of "${ts}")
  (go list -m -json $(pin "${name}" module)@$(release_of "${ts}"); if the proxy refuses the tag, the
  pseudo-version v0.0.0-<commit time, UTC yyyymmddhhmmss>-<first 12 hex> of the tagged commit);
  commit = the tagged commit's full hash."
  fi
  rel="$(release_of "${rec}")"
  [[ "${rel}" =~ ^RELEASE\.([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2})-([0-9]{2})-([0-9]{2})Z$ ]] ||
    die "${name}: ${rel} is not a RELEASE.<yyyy-mm-dd>T<hh-mm-ss>Z tag"
  ver="$(pin "${name}" version)" commit="$(pin "${name}" commit)"
  [[ "${commit}" =~ ^[0-9a-f]{40}$ ]] || die "${name}: commit ${commit} is not a full hash"
  [[ "${ver}" =~ ^v0\.0\.0-([0-9]{14})-([0-9a-f]{12})$ ]] || die "${name}: ${ver} is not a v0.0.0 pseudo-version"
  [[ "${BASH_REMATCH[2]}" == "${commit:0:12}" ]] || die "${name}: ${ver} does not name commit ${commit}"
  stamp="${rel//[^0-9]/}"
  [[ "${BASH_REMATCH[1]}" == "${stamp}" ]] ||
    log "note: ${name} ${ver} is not dated ${rel} (a commit made at another time than its release name)"
done

mkdir -p "${BIN}" "${LOGS}" "${OUT}" "${WORK}"
exec 9>"${WORK}/.lock"
flock -n 9 || { log "another build-minio.sh holds ${WORK}/.lock; waiting"; flock 9; }

# --- binaries ---------------------------------------------------------------------------------
# build_binary <name>: `go build` inside the downloaded module, so that its own go.mod and go.sum
# decide every dependency, with the ldflags of the upstream Makefile's release build.
build_binary() {
  local name="$1" image module ver commit pkg binary tags rel out t0 t1 t2 dir info hash tmp
  image="$(pin "${name}" image)" module="$(pin "${name}" module)" ver="$(pin "${name}" version)"
  commit="$(pin "${name}" commit)" pkg="$(pin "${name}" package)" binary="$(pin "${name}" binary)"
  tags="$(pin "${name}" tags)"
  rel="$(release_of "${image}")"
  out="${BIN}/${name}-${rel}"
  t0="$(now)"
  if [[ -f "${out}/.complete" && "$(cat "${out}/.pin" 2>/dev/null)" == "${module}@${ver} ${commit}" ]]; then
    summary "${name} ${rel}" skipped "$(elapsed "${t0}" "$(now)")" "${out}/${binary}"
    return
  fi
  LOGFILE="${LOGS}/${name}-${rel}.log"
  : >"${LOGFILE}"
  log "${name} ${rel}: downloading ${module}@${ver} and its dependencies (log: ${LOGFILE})"
  # A version the checksum database does not know is trusted through the go.sum hashes pinned
  # in versions.json instead (checked below for every module).
  local nosumdb=()
  [[ "$(jq -r --arg n "${name}" '.[$n].checksumDatabase' "${PINS}")" == true ]] || nosumdb=(GONOSUMDB="${module}${GONOSUMDB:+,${GONOSUMDB}}")
  info="$(env "${nosumdb[@]}" go mod download -json "${module}@${ver}" 2>>"${LOGFILE}")" ||
    die "go mod download ${module}@${ver}: $(jq -r '.Error // empty' <<<"${info}" 2>/dev/null || printf '%s' "${info}")"
  printf '%s\n' "${info}" >>"${LOGFILE}"
  dir="$(jq -er '.Dir' <<<"${info}")" || die "${module}@${ver}: $(jq -r '.Error // "no Dir"' <<<"${info}")"
  [[ "$(jq -r '.Sum' <<<"${info}")" == "$(pin "${name}" sum)" &&
    "$(jq -r '.GoModSum' <<<"${info}")" == "$(pin "${name}" goModSum)" ]] ||
    die "${module}@${ver}: go.sum hashes $(jq -r '"\(.Sum) \(.GoModSum)"' <<<"${info}") are not the pinned $(pin "${name}" sum) $(pin "${name}" goModSum)"
  hash="$(jq -r '.Origin.Hash // empty' <<<"${info}")"
  [[ -z "${hash}" || "${hash}" == "${commit}" ]] ||
    die "${module}@${ver}: the proxy says commit ${hash}, ${PINS##*/} says ${commit}"
  # Downloads exactly the modules the binary's packages need.
  (cd "${dir}" && run env GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 GOOS=linux GOARCH="${ARCH}" \
    go list -deps -tags "${tags}" "${pkg}" >/dev/null)
  t1="$(now)"

  # RELEASE.2025-09-07T16-13-09Z -> Version 2025-09-07T16:13:09Z (gen-ldflags.go's input)
  local r="${rel#RELEASE.}" version ldflags
  version="${r%%T*}T$(sed 's/-/:/g' <<<"${r#*T}")"
  ldflags="-s -w"
  ldflags+=" -X ${module}/cmd.Version=${version}"
  ldflags+=" -X ${module}/cmd.CopyrightYear=${r:0:4}"
  ldflags+=" -X ${module}/cmd.ReleaseTag=${rel}"
  ldflags+=" -X ${module}/cmd.CommitID=${commit}"
  ldflags+=" -X ${module}/cmd.ShortCommitID=${commit:0:12}"
  log "${name} ${rel}: compiling ${module}@${ver}"
  tmp="${out}.tmp.$$"
  rm -rf "${tmp}"; mkdir -p "${tmp}"
  (cd "${dir}" && run env GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 GOOS=linux GOARCH="${ARCH}" \
    go build -trimpath -tags "${tags}" -ldflags "${ldflags}" -o "${tmp}/${binary}" "${pkg}")
  t2="$(now)"
  run go version -m "${tmp}/${binary}"
  # The binary names its release (no network: --version returns before any update check).
  local home; home="$(mktemp -d)"
  printf '+ %s --version\n' "${binary}" >>"${LOGFILE}"
  env -i PATH="${IMAGE_PATH}" HOME="${home}" MC_CONFIG_DIR="${home}/.mc" MINIO_UPDATE=off MC_UPDATE=off \
    "${tmp}/${binary}" --version >"${home}/v" 2>&1 || true
  cat "${home}/v" >>"${LOGFILE}"
  grep -qF "${rel}" "${home}/v" || { cat "${home}/v" >&2; rm -rf "${home}"; die "${binary} --version does not say ${rel}"; }
  rm -rf "${home}"
  printf '%s\n' "${module}@${ver} ${commit}" >"${tmp}/.pin"
  touch "${tmp}/.complete"
  rm -rf "${out}"; mv "${tmp}" "${out}"
  summary "${name} ${rel}" built "$(elapsed "${t0}" "${t2}")" \
    "download $(elapsed "${t0}" "${t1}")s, compile $(elapsed "${t1}" "${t2}")s, $(du -h "${out}/${binary}" | cut -f1)"
}

# --- images -----------------------------------------------------------------------------------
ROOTFS_KEY="$(printf '%s\n' "${DEBIAN_SUITE}" "${ARCH}" minbase "${ROOTFS_PACKAGES[@]}" "${ROOTFS_REVISION}" | sha)"
ROOTFS_TAR="${WORK}/rootfs-${DEBIAN_SUITE}-${ROOTFS_KEY}.tar"

# build_rootfs: a small Debian root filesystem, cached as a tarball (numeric owners).
build_rootfs() {
  local t0 tmp
  t0="$(now)"
  if [[ -f "${ROOTFS_TAR}" ]]; then summary rootfs skipped "$(elapsed "${t0}" "$(now)")" "${ROOTFS_TAR##*/}"; return; fi
  LOGFILE="${LOGS}/minio-images.log"
  tmp="${WORK}/rootfs.tmp"
  unmount_under "${tmp}"; rm -rf "${tmp}"
  mkdir -p "${WORK}/debs"
  log "rootfs: debootstrap --variant=minbase ${DEBIAN_SUITE} (log: ${LOGFILE})"
  trap 'unmount_under "'"${tmp}"'"' EXIT
  run debootstrap --arch="${ARCH}" --variant=minbase --components=main \
    --include="$(IFS=,; echo "${ROOTFS_PACKAGES[*]}")" --cache-dir="${WORK}/debs" \
    "${DEBIAN_SUITE}" "${tmp}" "${DEBIAN_MIRROR}"
  unmount_under "${tmp}"; trap - EXIT
  [[ -x "${tmp}/bin/bash" && -x "${tmp}/bin/sh" && -f "${tmp}/etc/ssl/certs/ca-certificates.crt" ]] ||
    die "rootfs: no bash, sh or CA bundle after debootstrap"
  # Small, and free of this machine's identity: no apt lists or .debs, docs, man pages, logs.
  rm -rf "${tmp}"/var/lib/apt/lists/* "${tmp}"/var/cache/apt/* "${tmp}"/var/cache/debconf/*-old \
    "${tmp}"/var/lib/dpkg/*-old "${tmp}"/usr/share/man/* "${tmp}"/usr/share/info/* \
    "${tmp}"/usr/share/lintian "${tmp}"/usr/share/locale/* "${tmp}"/var/log/* "${tmp}"/debootstrap \
    "${tmp}"/root/.cache "${tmp}"/tmp/* "${tmp}"/etc/*-
  find "${tmp}/usr/share/doc" -type f ! -name copyright -delete
  find "${tmp}/usr/share/doc" -type d -empty -delete
  : >"${tmp}/etc/resolv.conf"; : >"${tmp}/etc/machine-id"; echo localhost >"${tmp}/etc/hostname"
  chroot "${tmp}" dpkg-query -W -f '${Package} ${Version}\n' >"${ROOTFS_TAR%.tar}.packages.txt"
  run tar --numeric-owner --xattrs -C "${tmp}" -cf "${ROOTFS_TAR}.part" .
  mv "${ROOTFS_TAR}.part" "${ROOTFS_TAR}"
  rm -rf "${tmp}"
  find "${WORK}" -maxdepth 1 -name "rootfs-*" ! -name "rootfs-${DEBIAN_SUITE}-${ROOTFS_KEY}*" -delete
  summary rootfs built "$(elapsed "${t0}" "$(now)")" \
    "$(wc -l <"${ROOTFS_TAR%.tar}.packages.txt") packages, $(du -h "${ROOTFS_TAR}" | cut -f1)"
}

unmount_under() { # unmount_under <dir>: whatever debootstrap left mounted below <dir>
  local m
  [[ -n "$1" ]] || return 0
  awk -v d="$1/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "${m}" || true; done
}

users() { # users <rootfs>: group and user 1000 "minio", home /tmp (the pods' writable emptyDir)
  grep -q ":${IMAGE_UID}:" "$1/etc/group" 2>/dev/null || echo "minio:x:${IMAGE_UID}:" >>"$1/etc/group"
  grep -q ":${IMAGE_UID}:" "$1/etc/passwd" 2>/dev/null ||
    echo "minio:x:${IMAGE_UID}:${IMAGE_UID}:minio:/tmp:/usr/sbin/nologin" >>"$1/etc/passwd"
}

fill_minio() { # fill_minio <rootfs>
  local root="$1"
  install -d -m 0755 "${root}/usr/bin" "${root}/etc/ssl/certs"
  install -m 0755 "${BIN}/minio-$(release_of "$(pin minio image)")/minio" "${root}/usr/bin/minio"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n' >"${root}/etc/passwd"
  printf 'root:x:0:\n' >"${root}/etc/group"
  users "${root}"
  tar -xOf "${ROOTFS_TAR}" ./etc/ssl/certs/ca-certificates.crt >"${root}/etc/ssl/certs/ca-certificates.crt"
  chmod 0644 "${root}/etc/passwd" "${root}/etc/group" "${root}/etc/ssl/certs/ca-certificates.crt"
  install -d -m 1777 "${root}/tmp"
  install -d -m 0750 -o "${IMAGE_UID}" -g "${IMAGE_UID}" "${root}/data"
}

fill_mc() { # fill_mc <rootfs>
  local root="$1"
  tar --numeric-owner --xattrs -xpf "${ROOTFS_TAR}" -C "${root}"
  install -m 0755 "${BIN}/mc-$(release_of "$(pin mc image)")/mc" "${root}/usr/bin/mc"
  users "${root}"
  chmod 1777 "${root}/tmp"
}

declare -A ENTRYPOINT=([minio]=minio [mc]=mc)
declare -A WORKDIR=([minio]=/ [mc]=/tmp)
declare -A EXTRA_ENV=([minio]="" [mc]="MC_CONFIG_DIR=/tmp/.mc")

# build_image <name>: an OCI layout made with umoci, exported as ${OUT}/<name>.oci.tar
build_image() {
  local name="$1" ref rel tag key t0 layout bundle binary size
  ref="$(pin "${name}" image)" rel="$(release_of "${ref}")" tag="${rel}"
  binary="${BIN}/${name}-${rel}/$(pin "${name}" binary)"
  t0="$(now)"
  [[ -x "${binary}" && -f "${BIN}/${name}-${rel}/.complete" ]] || die "${name}: no ${binary}; run the binaries step"
  key="$( { cat "${BIN}/${name}-${rel}/.pin"; echo "${ref}"; sha256sum <"${BASH_SOURCE[0]}";
    if [[ "${name}" == mc ]]; then echo "${ROOTFS_KEY}"; fi; } | sha)"
  if [[ -f "${OUT}/${name}.oci.tar" && "$(cat "${WORK}/${name}.key" 2>/dev/null)" == "${key}" ]]; then
    summary "${name} image" skipped "$(elapsed "${t0}" "$(now)")" "key ${key}"
    return
  fi
  LOGFILE="${LOGS}/minio-images.log"
  log "${name} image: packing ${ref} (log: ${LOGFILE})"
  layout="${WORK}/${name}-oci" bundle="${WORK}/${name}-bundle"
  rm -rf "${layout}" "${bundle}" "${WORK}/${name}.key"
  run umoci init --layout "${layout}"
  run umoci new --image "${layout}:${tag}"
  # As root, a plain unpack/repack keeps the owners of the Debian files (_apt, uid 1000's /data).
  run umoci unpack --image "${layout}:${tag}" "${bundle}"
  "fill_${name}" "${bundle}/rootfs"
  run umoci repack --image "${layout}:${tag}" --history.created_by "e2e/images/build-minio.sh: ${name} ${rel}" "${bundle}"
  local envs=(--config.env "PATH=${IMAGE_PATH}" --config.env MINIO_UPDATE=off --config.env MC_UPDATE=off) e
  for e in ${EXTRA_ENV[${name}]}; do envs+=(--config.env "${e}"); done
  run umoci config --image "${layout}:${tag}" --os linux --architecture "${ARCH}" \
    --config.entrypoint "${ENTRYPOINT[${name}]}" --config.user "${IMAGE_UID}:${IMAGE_UID}" \
    --config.workingdir "${WORKDIR[${name}]}" "${envs[@]}" \
    --config.label "org.opencontainers.image.version=${rel}" \
    --config.label "org.opencontainers.image.revision=$(pin "${name}" commit)" \
    --config.label "org.opencontainers.image.source=https://$(pin "${name}" module)" \
    --history.created_by "umoci config (${name}: entrypoint ${ENTRYPOINT[${name}]}, user ${IMAGE_UID})"
  run umoci gc --layout "${layout}"
  # One manifest with its platform and no name annotations: containerd 1.6's import stores every
  # io.containerd.image.name / org.opencontainers.image.ref.name as an image too, and one equal
  # to --index-name replaces the index image, whose content is then collected ("content digest
  # ...: not found" while unpacking). The refs are in minio.manifest.json.
  jq --arg arch "${ARCH}" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [.manifests[] | del(.annotations) | . + {platform: {architecture: $arch, os: "linux"}}]}' \
    "${layout}/index.json" >"${layout}/index.json.new"
  mv "${layout}/index.json.new" "${layout}/index.json"
  run tar --sort=name --owner=0 --group=0 --numeric-owner -C "${layout}" -cf "${OUT}/${name}.oci.tar.part" oci-layout index.json blobs
  mv "${OUT}/${name}.oci.tar.part" "${OUT}/${name}.oci.tar"
  rm -rf "${layout}" "${bundle}"
  echo "${key}" >"${WORK}/${name}.key"
  size="$(du -h "${OUT}/${name}.oci.tar" | cut -f1)"
  summary "${name} image" built "$(elapsed "${t0}" "$(now)")" "${ref}, ${size}"
}

write_manifest() {
  local n args=()
  for n in "${NAMES[@]}"; do args+=("${n}" "$(pin "${n}" image)"); done
  jq -n '[$ARGS.positional | _nwise(2) | {name: .[0], archive: "\(.[0]).oci.tar", refs: [.[1]]}] | {images: .}' \
    --args "${args[@]}" >"${OUT}/minio.manifest.json.part"
  mv "${OUT}/minio.manifest.json.part" "${OUT}/minio.manifest.json"
}

# --- main -------------------------------------------------------------------------------------
T0="$(now)"
if want binaries; then
  for name in "${NAMES[@]}"; do build_binary "${name}"; done
fi
if want images; then
  build_rootfs
  for name in "${NAMES[@]}"; do build_image "${name}"; done
  write_manifest
fi
log "summary ($(elapsed "${T0}" "$(now)")s):"
for line in "${SUMMARY[@]}"; do log "  ${line}"; done
