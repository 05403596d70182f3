#!/usr/bin/env sh
# The system packages `make test` needs beyond Python: Java 17 or newer (Spark's local mode) and
# Chromium (PDF reports and the browser tests; /usr/bin/chromium, or any Chromium named by
# ENGAGEKIT_CHROMIUM). Run as root with apt, it installs what is missing; otherwise it prints
# the command to run and fails, before any test starts.
set -eu

java_major() {
  java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

missing=""
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing="$missing openjdk-17-jre-headless"
fi
if [ -n "${ENGAGEKIT_CHROMIUM:-}" ]; then
  [ -x "$ENGAGEKIT_CHROMIUM" ] || { echo "ENGAGEKIT_CHROMIUM=$ENGAGEKIT_CHROMIUM is not an executable file" >&2; exit 1; }
elif [ ! -x /usr/bin/chromium ]; then
  missing="$missing chromium"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing$missing with apt-get (needed by the Spark and browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $missing >/dev/null
  exit 0
fi
echo "make test needs$missing: the Spark tests run on Java 17 and the PDF and browser tests on Chromium." >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "Install them with:  sudo apt-get install -y$missing" >&2
else
  echo "Install Java 17 and Chromium with your system's package manager." >&2
fi
echo "(Chromium elsewhere than /usr/bin/chromium: set ENGAGEKIT_CHROMIUM to its path.)" >&2
exit 1
