"""Open a page in headless Chromium: screenshot it, and report broken images and outgoing requests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",
]
# Injected into a copy of the page (written beside it, so its relative figure links resolve): a CSP that
# blocks (and reports) every request leaving the machine, and a check that runs once everything has loaded.
CSP = "default-src 'none'; img-src data: file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
PROBE_HEAD = f"""<meta http-equiv="Content-Security-Policy" content="{CSP}">
<script>window.__blocked = [];
document.addEventListener('securitypolicyviolation', e => window.__blocked.push(e.blockedURI));</script>"""
PROBE_BODY = """<script>window.addEventListener('load', () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src.slice(0, 60));
  const requests = performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('file:'));
  const out = document.createElement('pre'); out.id = 'nnsvm-probe';
  out.textContent = JSON.stringify({images: imgs.length, broken, requests, blocked: window.__blocked});
  document.body.appendChild(out);
});</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _run(browser: str, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180
        )
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def probe(page: Path) -> dict:
    """Images found, images that did not load, and every request the page made or tried."""
    html = page.read_text()
    html = html.replace("<head>", "<head>\n" + PROBE_HEAD, 1).replace("</body>", PROBE_BODY + "\n</body>", 1)
    with tempfile.NamedTemporaryFile("w", suffix=".html", prefix=".probe-", dir=page.parent) as copy:
        copy.write(html)
        copy.flush()
        dom = _run(chromium(), "--allow-file-access-from-files", "--dump-dom", Path(copy.name).as_uri())
    match = re.search(r'<pre id="nnsvm-probe">(.*?)</pre>', dom, re.S)
    if not match:
        raise RuntimeError("the probe did not run: the page never finished loading")
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 3000) -> Path:
    _run(chromium(), f"--screenshot={out}", f"--window-size={width},{height}", page.resolve().as_uri())
    return out
