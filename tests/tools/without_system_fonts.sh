#!/bin/sh
# Run a command as on a machine without fonts: an empty folder is bound over each system font folder
# in a private mount namespace (as root, or in a user namespace where the kernel allows one), so
# PDFium has only the fonts built into it and what a PDF embeds. Nothing outside the command sees it.
set -eu
if [ "${TONGBAO_FONTS_HIDDEN:-}" = 1 ]; then exec "$@"; fi
dirs=""
for d in /usr/share/fonts /usr/local/share/fonts /usr/share/X11/fonts "${HOME:-/root}/.fonts" "${HOME:-/root}/.local/share/fonts"; do
  if [ -d "$d" ]; then dirs="$dirs $d"; fi
done
if unshare --mount true 2>/dev/null; then ns="--mount"
elif unshare --user --map-root-user --mount true 2>/dev/null; then ns="--user --map-root-user --mount"
else echo "without_system_fonts: this machine allows no mount namespace (needs root or user namespaces)" >&2; exit 125
fi
empty=$(mktemp -d)
status=0
# shellcheck disable=SC2086  # $ns holds several options
unshare $ns --propagation private sh -c '
  empty=$1; dirs=$2; shift 2
  for d in $dirs; do mount --bind "$empty" "$d"; done
  TONGBAO_FONTS_HIDDEN=1 exec "$@"' sh "$empty" "$dirs" "$@" || status=$?
rmdir "$empty"
exit $status
