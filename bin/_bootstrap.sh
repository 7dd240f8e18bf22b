# Shared by bin/demo and bin/test: a Python virtual environment in .venv, with every dependency
# pinned by uv.lock. Idempotent: when nothing changed, it takes a second or two.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
UV_VERSION=0.13.9
# Where a machine's Python trusts only the system's certificate store, uv must too.
export UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1
export UV_PROJECT_ENVIRONMENT="$ROOT/.venv"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  # $@: Debian packages; installed only when missing.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "CORETT Hub needs Python 3.11 or newer." >&2
  return 1
}

bootstrap_venv() {
  # $@: extra arguments for `uv sync` (e.g. --all-groups for the tests).
  if [ ! -x .venv/bin/python ]; then
    local py; py=$(find_python)
    if ! "$py" -m venv .venv 2>/dev/null; then
      # Debian ships venv/ensurepip separately.
      rm -rf .venv
      local ver; ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt_install "python${ver}-venv" || apt_install python3-venv
      "$py" -m venv .venv
    fi
  fi
  if [ ! -x .venv/bin/uv ] || [ "$(.venv/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  # WeasyPrint (PDF documents) draws text with Pango.
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
  # --inexact keeps uv itself (installed by pip above) in the environment.
  .venv/bin/uv sync --locked --inexact --quiet "$@"
}
