#!/usr/bin/env bash
# Renders the example HTML reports in headless Chromium, keeps screenshots in .build/browser/, and
# fails when a page logs a console error, is wider than the viewport (at 1280 and 800 pixels), or
# lacks a key figure (verdict, capacity, a breached clause's figures) in its rendered text.
# Installs the Debian package `chromium` when it is missing; prints "skipped" only when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

find_browser() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
browser=$(find_browser)
if [ -z "$browser" ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser-check: installing chromium" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || true
  browser=$(find_browser)
fi
if [ -z "$browser" ]; then
  echo "browser-check: skipped (no chromium, and it could not be installed)"
  exit 0
fi

covenant=.build/debug/covenant
[ -x "$covenant" ] || swift build --product covenant >/dev/null
out=.build/browser
rm -rf "$out" && mkdir -p "$out"
ex=examples/us-japan-fund
failed=0

# name | covenant arguments | figures that must be in the rendered text
cases=(
  "sector-cap|-d $ex/deals/sector-cap.json|BREACH;Largest compliant deal amount;\$9,230,769,230.76;§4.2(a);≈35.58%;over by ≈0.58%"
  "supermajority-short|-d $ex/deals/supermajority-short.json|BREACH;§7.2;66.6%;not met"
  "waived-cap|-d $ex/deals/waived-cap.json|COMPLIANT;WAIVED;waived by treasury, mof until 2027-06-30"
  "snapshot||COMPLIANT;WARNING;§4.3"
  "batch|--deals $ex/deals|BREACH;D-2026-033;§4.2(a)"
)

chrome() { "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage --hide-scrollbars "$@"; }

for c in "${cases[@]}"; do
  IFS='|' read -r name args figures <<<"$c"
  html="$out/$name.html"
  # shellcheck disable=SC2086
  "$covenant" check "$ex/covenant.cov" -p "$ex/portfolio.json" $args --format html --output "$html" || [ $? -eq 1 ]
  # A copy with a probe: the report itself needs no script; the probe writes what the check needs
  # into the DOM that --dump-dom prints.
  probe="$out/$name.probe.html"
  sed 's#</body>#<script>document.body.setAttribute("data-overflow", String(document.documentElement.scrollWidth > window.innerWidth)); document.body.setAttribute("data-width", document.documentElement.scrollWidth + "/" + window.innerWidth)</script></body>#' "$html" >"$probe"
  for width in 1280 800; do
    log="$out/$name-$width.log"
    dom=$(chrome --window-size=$width,900 --enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom "file://$PWD/$probe" 2>"$log") || true
    if grep -E 'CONSOLE\(|Uncaught|console.error' "$log" | grep -vi 'devtools' | grep -q .; then
      echo "browser-check: $name at $width px: console errors:" >&2
      grep -E 'CONSOLE\(|Uncaught' "$log" >&2 || true
      failed=1
    fi
    if ! grep -q 'data-overflow="false"' <<<"$dom"; then
      echo "browser-check: $name at $width px: the page is wider than the viewport ($(grep -o 'data-width="[^"]*"' <<<"$dom" || echo 'not measured'))" >&2
      failed=1
    fi
    if [ "$width" = 1280 ]; then
      text=$(sed -e 's/<[^>]*>/ /g' -e 's/&amp;/\&/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' <<<"$dom")
      IFS=';' read -ra wanted <<<"$figures"
      for f in "${wanted[@]}"; do
        if ! grep -qF -- "$f" <<<"$text"; then
          echo "browser-check: $name: \"$f\" missing from the rendered page" >&2
          failed=1
        fi
      done
    fi
    chrome --window-size=$width,900 --screenshot="$PWD/$out/$name-$width.png" "file://$PWD/$html" >/dev/null 2>&1 || {
      echo "browser-check: $name: no screenshot" >&2
      failed=1
    }
  done
  rm -f "$probe"
done

if [ "$failed" = 0 ]; then
  echo "browser-check: ${#cases[@]} reports rendered, screenshots in $out/"
fi
exit "$failed"
