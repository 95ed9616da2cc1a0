#!/bin/sh
# Installs the Debian packages nmtb needs, if missing.  Idempotent: when
# everything is there it does nothing (and needs no network).
set -eu

# deps.sh [base|qemu]: base is what the sim suites need; qemu adds the
# kernel headers, QEMU and the guest's parts (make module, make qemu-test).
case "${1:-base}" in
base)	PKGS="gcc g++ make clang llvm libclang-rt-14-dev python3-scapy python3-pytest lcov" ;;
qemu)	PKGS="linux-headers-amd64 qemu-system-x86 busybox-static cpio kmod" ;;
*)	echo "usage: deps.sh [base|qemu]" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all present ($PKGS)"
	exit 0
fi
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
