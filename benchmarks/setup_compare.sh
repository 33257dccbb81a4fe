#!/usr/bin/env bash
# Set up the competitors for benchmarks/bench_compare.py: WeasyPrint and pandoc.
#
#     bash benchmarks/setup_compare.sh
#
# They go into their own venv, benchmarks/.venv-compare, and are NOT dependencies of briefgen.
# pandoc comes from the PyPI wheel pypandoc_binary, which ships a static pandoc binary; it is
# linked as .venv-compare/bin/pandoc. WeasyPrint needs Pango's and HarfBuzz-Subset's shared
# libraries: when they are missing and we are root with apt-get, they are installed; otherwise
# the script says what to install. Safe to run again: what is already there is kept.
#
# Environment: PYTHON (interpreter for the venv; default python3), WEASYPRINT_SPEC and
# PANDOC_SPEC (pip requirement specifiers; defaults pin the versions the figures were taken with).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-compare"
python="${PYTHON:-python3}"
weasyprint_spec="${WEASYPRINT_SPEC:-weasyprint==70.0}"
pandoc_spec="${PANDOC_SPEC:-pypandoc_binary==1.17}"

# 1. System libraries WeasyPrint loads through cffi: Pango (required) and HarfBuzz-Subset (without
# it WeasyPrint falls back to fontTools for font subsetting, slower and deprecated: leaving it
# out would handicap the competitor).
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup_compare: installing ${missing[*]} (apt-get)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" fonts-dejavu-core
    else
        echo "setup_compare: WeasyPrint needs ${missing[*]} (Debian names); install them" \
             "and run again" >&2
        exit 1
    fi
fi

# 2. The venv, with WeasyPrint and the pandoc wheel.
if [ ! -x "$venv/bin/python" ]; then
    echo "setup_compare: creating $venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$weasyprint_spec" "$pandoc_spec"

# 3. Put the wheel's pandoc binary on the venv's bin/ so the benchmark can call it directly.
pandoc_bin="$("$venv/bin/python" - <<'EOF'
from pathlib import Path
import pypandoc
print(Path(pypandoc.__file__).parent / "files" / "pandoc")
EOF
)"
if [ ! -x "$pandoc_bin" ]; then
    echo "setup_compare: no pandoc binary at $pandoc_bin" >&2
    exit 1
fi
ln -sf "$pandoc_bin" "$venv/bin/pandoc"

# 4. Check both run, and say which versions we have.
"$venv/bin/weasyprint" --version
"$venv/bin/pandoc" --version | head -n 1
echo "setup_compare: ready ($venv)"
